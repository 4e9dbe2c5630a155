import { useEffect, useState } from 'react';
import { ReadAloudButton } from './read-aloud.js';

type CopyState = 'idle' | 'copied' | 'failed';

/** Copy to the clipboard, saying "Copied" (or that it failed) for a moment. */
function CopyButton({ text, label }: { text: () => string; label: string }) {
  const [state, setState] = useState<CopyState>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2000);
    return () => clearTimeout(timer);
  }, [state]);
  const copy = () =>
    navigator.clipboard.writeText(text()).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  return (
    <button type="button" className="action-button" aria-label={label} onClick={() => void copy()}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </button>
  );
}

type QuestionActionsProps = { question: string; isBusy: boolean; onEdit: () => void };

/** Under a question: copy it, or put it back in the box to edit and send again. */
export function QuestionActions({ question, isBusy, onEdit }: QuestionActionsProps) {
  return (
    <div className="turn-actions question-actions">
      <CopyButton text={() => question} label="Copy question" />
      <button
        type="button"
        className="action-button"
        aria-label="Edit question"
        onClick={onEdit}
        disabled={isBusy}
      >
        Edit
      </button>
    </div>
  );
}

type AnswerActionsProps = {
  text: () => string;
  /** The answer's own words (no sources list), for Read aloud. */
  spokenText: () => string;
  onRegenerate: (() => void) | null;
};

/** Under a finished answer: copy it (with its sources) and, for the latest, ask again. */
export function AnswerActions({ text, spokenText, onRegenerate }: AnswerActionsProps) {
  return (
    <div className="turn-actions answer-actions">
      <CopyButton text={text} label="Copy answer" />
      <ReadAloudButton text={spokenText} />
      {onRegenerate && (
        <button type="button" className="action-button" aria-label="Regenerate answer" onClick={onRegenerate}>
          Regenerate
        </button>
      )}
    </div>
  );
}
