import { useEffect, useRef, useState } from 'react';
import { describeBackend, type BackendType } from '../../config/api.js';
import {
  enqueueQuestion,
  offlineQueue,
  removeQueuedQuestion,
  takeNextQuestion,
} from '../../lib/offline-queue.js';
import { copyableAnswer } from '../../lib/citations.js';
import { useLocalValue } from '../../lib/preferences.js';
import { checkServer, type ServerStatus } from '../../lib/server-status.js';
import { AnswerView } from '../../components/answer/answer-view.js';
import { Composer } from './composer.js';
import { KnowledgePicker } from './knowledge-picker.js';
import { AnswerActions, QuestionActions } from './turn-actions.js';
import { useAutoscroll } from './use-autoscroll.js';
import { useChat } from './use-chat.js';
import { useSearchedStores } from './use-searched-stores.js';

type ChatPageProps = {
  backend: BackendType;
  threadId: string | null;
  serverState: ServerStatus['state'];
  onThreadCreated: (threadId: string) => void;
  onRunEnded: () => void;
};

const suggestions = [
  'What is Threadline?',
  'How do I use MongoDB instead of SQLite?',
  'How do I cancel a run?',
];

export function ChatPage({ backend, threadId, serverState, onThreadCreated, onRunEnded }: ChatPageProps) {
  const queue = useLocalValue(offlineQueue);
  const [runsEnded, setRunsEnded] = useState(0);
  const searched = useSearchedStores(threadId, runsEnded);
  const [draftRequest, setDraftRequest] = useState<{ text: string; key: number } | null>(null);
  const chat = useChat({
    backend,
    threadId,
    vectorStoreIds: searched.sendIds ?? [],
    onThreadCreated,
    onRunEnded: () => {
      setRunsEnded((count) => count + 1);
      onRunEnded();
    },
  });
  const scroller = useRef<HTMLDivElement>(null);
  const { isPinned, jumpToLatest } = useAutoscroll(scroller, chat.turns);
  const descriptor = describeBackend(backend);
  const isReachable = serverState !== 'unreachable';

  // Opening another conversation shows its latest messages, whatever the scroll was before.
  useEffect(() => jumpToLatest(), [threadId, jumpToLatest]);

  const ask = (content: string) => {
    if (!isReachable) {
      enqueueQuestion(content);
      return;
    }
    void chat.send(content).then((final) => {
      // Failing to connect at all usually means the server just went away: re-check it.
      if (final.outcome === 'dropped' && final.runId === null) void checkServer();
    });
  };

  // Questions typed offline go out one at a time, oldest first, once the server answers again.
  const { isBusy, send, stop } = chat;

  // Esc stops the answer being written (the hint under the composer says so).
  useEffect(() => {
    if (!isBusy) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key === 'Escape' && !event.defaultPrevented) stop();
    };
    document.addEventListener('keydown', onKeyDown);
    return () => document.removeEventListener('keydown', onKeyDown);
  }, [isBusy, stop]);

  useEffect(() => {
    if (serverState !== 'reachable' || isBusy) return;
    const next = takeNextQuestion();
    if (next) void send(next.content);
  }, [serverState, isBusy, queue.length, send]);

  return (
    <section className="chat" aria-label="Chat">
      <div className="chat-scroll" ref={scroller}>
        <div className="chat-column">
          {chat.load.state === 'loading' && <p className="placeholder">Loading the conversation…</p>}
          {chat.load.state === 'error' && (
            <div className="problem" role="alert">
              <strong>Could not open this conversation.</strong> {chat.load.message}
            </div>
          )}
          {chat.turns.length === 0 && chat.load.state !== 'loading' && queue.length === 0 && (
            <div className="empty-state">
              <h2>Ask your documents</h2>
              <p>
                Answers come from the knowledge base named under the question box, with numbered sources you
                can open. Backend: <strong>{descriptor.label}</strong>.
              </p>
              <div className="suggestions">
                {suggestions.map((text) => (
                  <button
                    key={text}
                    type="button"
                    className="button ghost"
                    onClick={() => ask(text)}
                    disabled={chat.isBusy}
                  >
                    {text}
                  </button>
                ))}
              </div>
            </div>
          )}
          {chat.turns.map((turn, index) => (
            <article className="turn" key={turn.id}>
              {turn.question !== '' && (
                <>
                  <p className="question">{turn.question}</p>
                  <QuestionActions
                    question={turn.question}
                    isBusy={chat.isBusy}
                    onEdit={() => setDraftRequest({ text: turn.question, key: Date.now() })}
                  />
                </>
              )}
              <AnswerView
                answer={turn.answer}
                onRetry={turn.answer.problem && !chat.isBusy ? () => chat.retry(turn.id) : undefined}
              />
              {!turn.answer.isStreaming && turn.answer.text !== '' && (
                <AnswerActions
                  text={() => copyableAnswer(turn.answer.text, turn.answer.citations)}
                  spokenText={() => turn.answer.text}
                  onRegenerate={
                    index === chat.turns.length - 1 && turn.question !== '' && !chat.isBusy && isReachable
                      ? () => ask(turn.question)
                      : null
                  }
                />
              )}
            </article>
          ))}
          {queue.map((item) => (
            <article className="turn queued" key={item.id}>
              <p className="question">{item.content}</p>
              <p className="answer-note">
                Waiting for the server; this question will be sent automatically.{' '}
                <button type="button" className="link-button" onClick={() => removeQueuedQuestion(item.id)}>
                  Remove
                </button>
              </p>
            </article>
          ))}
        </div>
      </div>
      {!isPinned && (
        <button type="button" className="button jump" onClick={jumpToLatest}>
          ↓ Latest
        </button>
      )}
      <div className="composer-bar">
        {descriptor.hasHistory && <KnowledgePicker searched={searched} />}
        <Composer
          draftRequest={draftRequest}
          isBusy={chat.isBusy}
          canStop={true}
          placeholder={
            isReachable
              ? 'Ask a question… (Enter to send, Shift+Enter for a new line)'
              : 'Offline: questions are queued and sent when the server is back'
          }
          onSend={ask}
          onStop={chat.stop}
        />
      </div>
    </section>
  );
}
