import { useState } from 'react';
import { extractiveModelId } from '@threadline/shared';
import { resolveCitations } from '../../lib/citations.js';
import { AnswerMarkdown } from './answer-markdown.js';
import { SourcesList } from './sources-list.js';
import type { Answer } from './answer.js';

const outcomeNote: Partial<Record<NonNullable<Answer['outcome']>, string>> = {
  cancelled: 'Stopped. The answer above is what was kept: it arrived before the stop.',
  requires_action: 'The assistant asked to call a tool this app does not provide, so the run paused.',
  in_progress: 'This answer was still running when the history was saved.',
};

/**
 * Says an answer is quoted, not written: the local engine without a model answers with the
 * passage of the documents, and how to get written answers is one click away.
 */
function QuotedNote() {
  const [isOpen, setIsOpen] = useState(false);
  return (
    <div className="answer-kind">
      <p>
        Quoted from your documents ·{' '}
        <button
          type="button"
          className="link-button"
          aria-expanded={isOpen}
          onClick={() => setIsOpen((open) => !open)}
        >
          How to get written answers
        </button>
      </p>
      {isOpen && (
        <p className="answer-kind-help">
          No model is configured, so Threadline answers with the passage of your documents that answers the
          question, as written there. For answers written in sentences, point it at a chat model: set{' '}
          <code>LLM_BASE_URL</code> to an OpenAI-compatible endpoint (a model you run with Ollama, llama.cpp,
          vLLM or LM Studio, or OpenAI) and <code>LLM_MODEL</code> to its model in <code>.env</code>, then
          restart. The settings are described in <code>docs/configuration.md</code>.
        </p>
      )}
    </div>
  );
}

export function AnswerView({ answer, onRetry }: { answer: Answer; onRetry?: (() => void) | undefined }) {
  const { markdown, sources, chips } = resolveCitations(answer.text, answer.citations, {
    isStreaming: answer.isStreaming,
  });
  // A run stopped before its first words kept nothing: say so rather than point at an empty answer.
  const note =
    answer.outcome === 'cancelled' && markdown.trim() === ''
      ? 'Stopped before any answer arrived; nothing was kept.'
      : answer.outcome
        ? outcomeNote[answer.outcome]
        : undefined;
  return (
    <div className="answer" aria-busy={answer.isStreaming} data-outcome={answer.outcome ?? 'streaming'}>
      {markdown !== '' && <AnswerMarkdown markdown={markdown} sources={sources} chips={chips} />}
      {answer.isStreaming && (
        <p className="answer-activity" role="status">
          <span className="typing-dots" aria-hidden="true" />
          {answer.activity === 'searching'
            ? 'Searching the knowledge base…'
            : answer.activity === 'writing'
              ? 'Writing…'
              : 'Connecting…'}
        </p>
      )}
      {answer.toolCalls.length > 0 && (
        <div className="tool-calls">
          <p>Tool calls requested:</p>
          <ul>
            {answer.toolCalls.map((call) => (
              <li key={call.id}>
                <code>
                  {call.name}({call.arguments})
                </code>
              </li>
            ))}
          </ul>
        </div>
      )}
      {note && <p className="answer-note">{note}</p>}
      {answer.problem && (
        <div className="problem" role="alert">
          <strong>{answer.problem.title}.</strong> {answer.problem.detail}
          {onRetry && (
            <button type="button" className="button small" onClick={onRetry}>
              Retry
            </button>
          )}
        </div>
      )}
      {answer.model === extractiveModelId && !answer.isStreaming && sources.length > 0 && <QuotedNote />}
      <SourcesList sources={sources} />
    </div>
  );
}
