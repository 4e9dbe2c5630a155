import { threadMessagesSchema } from '@threadline/shared';
import { useCallback, useEffect, useRef, useState } from 'react';
import { endpoints, type BackendType } from '../../config/api.js';
import { describeError } from '../../lib/api-error.js';
import { requestJson } from '../../lib/http.js';
import { runQuestion } from '../../lib/run-question.js';
import { answerFromRun, emptyAnswer, type Answer } from '../../components/answer/answer.js';
import { turnsFromTranscript, type Turn } from './turn.js';

type ChatOptions = {
  backend: BackendType;
  threadId: string | null;
  vectorStoreIds: readonly string[];
  /** A new thread was created by the first answer: the page records it (URL, history). */
  onThreadCreated: (threadId: string) => void;
  /** A run ended, however it ended (history order and previews change). */
  onRunEnded?: () => void;
};

export type TranscriptLoad = { state: 'idle' | 'loading' | 'loaded' } | { state: 'error'; message: string };

let turnCounter = 0;
const newTurnId = () => `turn_${Date.now()}_${(turnCounter += 1)}`;

export function useChat({ backend, threadId, vectorStoreIds, onThreadCreated, onRunEnded }: ChatOptions) {
  const [turns, setTurns] = useState<Turn[]>([]);
  const [isBusy, setIsBusy] = useState(false);
  const [load, setLoad] = useState<TranscriptLoad>({ state: 'idle' });
  const controller = useRef<AbortController | null>(null);
  // The thread this hook itself created or is streaming into: no transcript reload for it.
  const liveThread = useRef<string | null>(threadId);
  const latest = useRef({ backend, threadId, vectorStoreIds, onThreadCreated, onRunEnded });
  latest.current = { backend, threadId, vectorStoreIds, onThreadCreated, onRunEnded };

  useEffect(() => {
    if (threadId === liveThread.current && (threadId === null || turns.length > 0 || isBusy)) return;
    controller.current?.abort();
    liveThread.current = threadId;
    setTurns([]);
    if (threadId === null) {
      setLoad({ state: 'idle' });
      return;
    }
    const abort = new AbortController();
    setLoad({ state: 'loading' });
    requestJson(endpoints().threadMessages(threadId), threadMessagesSchema, { signal: abort.signal }).then(
      (transcript) => {
        setTurns(turnsFromTranscript(transcript.data));
        setLoad({ state: 'loaded' });
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setLoad({ state: 'error', message: describeError(error) });
      },
    );
    return () => abort.abort();
    // Only a change of thread reloads; turns/isBusy are read to recognise our own thread.
  }, [threadId]);

  const runTurn = useCallback(async (turnId: string, question: string) => {
    const abort = new AbortController();
    controller.current = abort;
    setIsBusy(true);
    const options = latest.current;
    const update = (answer: Answer) =>
      setTurns((current) => current.map((turn) => (turn.id === turnId ? { ...turn, answer } : turn)));
    const final = await runQuestion({
      backend: options.backend,
      content: question,
      threadId: liveThread.current,
      vectorStoreIds: options.vectorStoreIds,
      signal: abort.signal,
      onState: (state) => {
        if (state.threadId && state.threadId !== liveThread.current) {
          liveThread.current = state.threadId;
          latest.current.onThreadCreated(state.threadId);
        }
        update(answerFromRun(state));
      },
    });
    update(answerFromRun(final));
    if (controller.current === abort) controller.current = null;
    setIsBusy(false);
    latest.current.onRunEnded?.();
    return final;
  }, []);

  const send = useCallback(
    async (question: string) => {
      const id = newTurnId();
      setTurns((current) => [...current, { id, question, answer: emptyAnswer }]);
      return runTurn(id, question);
    },
    [runTurn],
  );

  const retry = useCallback(
    (turnId: string) => {
      const turn = turns.find((item) => item.id === turnId);
      if (!turn || isBusy) return;
      setTurns((current) =>
        current.map((item) => (item.id === turnId ? { ...item, answer: emptyAnswer } : item)),
      );
      void runTurn(turnId, turn.question);
    },
    [turns, isBusy, runTurn],
  );

  const stop = useCallback(() => controller.current?.abort(), []);

  // Leaving the page (or the component) must not leave a run going on the server.
  useEffect(() => () => controller.current?.abort(), []);

  return { turns, isBusy, load, send, retry, stop };
}
