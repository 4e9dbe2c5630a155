import { maxMessageCharacters } from '@threadline/shared';
import { useState, type FormEvent, type KeyboardEvent } from 'react';

type ComposerProps = {
  isBusy: boolean;
  canStop: boolean;
  placeholder: string;
  onSend: (content: string) => void;
  onStop: () => void;
};

/** Enter sends, Shift+Enter adds a line; while an answer streams the button stops it. */
export function Composer({ isBusy, canStop, placeholder, onSend, onStop }: ComposerProps) {
  const [draft, setDraft] = useState('');
  const submit = () => {
    const content = draft.trim();
    if (content === '' || isBusy) return;
    onSend(content);
    setDraft('');
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME composition must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  return (
    <form className="composer" onSubmit={onSubmit}>
      <label className="visually-hidden" htmlFor="composer-input">
        Your question
      </label>
      <textarea
        id="composer-input"
        value={draft}
        rows={2}
        maxLength={maxMessageCharacters}
        placeholder={placeholder}
        disabled={isBusy}
        onChange={(event) => setDraft(event.target.value)}
        onKeyDown={onKeyDown}
      />
      {isBusy ? (
        <button type="button" className="button stop" onClick={onStop} disabled={!canStop}>
          Stop
        </button>
      ) : (
        <button type="submit" className="button primary" disabled={draft.trim() === ''}>
          Send
        </button>
      )}
    </form>
  );
}
