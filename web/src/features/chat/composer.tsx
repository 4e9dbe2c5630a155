import { maxMessageCharacters } from '@threadline/shared';
import { useEffect, useRef, useState, type ClipboardEvent, type FormEvent, type KeyboardEvent } from 'react';
import { sendSpokenAtOncePreference, useLocalValue } from '../../lib/preferences.js';
import { VoiceInput } from './voice-input.js';

/** The counter shows from here on: far enough ahead to trim a long paste before it is cut. */
export const counterFrom = maxMessageCharacters - 4096;
const formatCount = (count: number) => count.toLocaleString('en-US');

type ComposerProps = {
  isBusy: boolean;
  canStop: boolean;
  placeholder: string;
  /** A question to edit (Edit on an earlier question): replaces the draft and focuses the box. */
  draftRequest: { text: string; key: number } | null;
  onSend: (content: string) => void;
  onStop: () => void;
};

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
const modifier = isMac ? '⌘' : 'Ctrl';

/** Enter sends, Shift+Enter adds a line; while an answer streams the button stops it. */
export function Composer({ isBusy, canStop, placeholder, draftRequest, onSend, onStop }: ComposerProps) {
  const [draft, setDraft] = useState('');
  const [wasCut, setWasCut] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const sendSpokenAtOnce = useLocalValue(sendSpokenAtOncePreference);
  const onTranscript = (text: string) => {
    if (sendSpokenAtOnce && !isBusy) {
      onSend(text);
      return;
    }
    setDraft((previous) => (previous.trim() ? `${previous.trimEnd()} ${text}` : text));
    input.current?.focus();
  };

  useEffect(() => {
    if (!draftRequest) return;
    setDraft(draftRequest.text);
    setWasCut(false);
    input.current?.focus();
  }, [draftRequest]);

  const submit = () => {
    const content = draft.trim();
    if (content === '' || isBusy) return;
    onSend(content);
    setDraft('');
    setWasCut(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // isComposing: Enter that confirms an IME composition must not send.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };
  // maxLength cuts a long paste silently: say so.
  const onPaste = (event: ClipboardEvent<HTMLTextAreaElement>) => {
    const target = event.currentTarget;
    const selected = target.selectionEnd - target.selectionStart;
    const pasted = event.clipboardData.getData('text').length;
    setWasCut(draft.length - selected + pasted > maxMessageCharacters);
  };
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submit();
  };
  const isAtLimit = draft.length >= maxMessageCharacters;
  return (
    <form className="composer" onSubmit={onSubmit}>
      <label className="visually-hidden" htmlFor="composer-input">
        Your question
      </label>
      <div className="composer-field">
        <textarea
          id="composer-input"
          ref={input}
          value={draft}
          rows={2}
          maxLength={maxMessageCharacters}
          placeholder={placeholder}
          disabled={isBusy}
          aria-describedby="composer-counter"
          onChange={(event) => {
            setDraft(event.target.value);
            if (event.target.value.length < maxMessageCharacters) setWasCut(false);
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
        />
        <VoiceInput isDisabled={isBusy} onTranscript={onTranscript} />
        {isBusy ? (
          <button type="button" className="button stop" onClick={onStop} disabled={!canStop}>
            Stop
          </button>
        ) : (
          <button type="submit" className="button primary" disabled={draft.trim() === ''}>
            Send
          </button>
        )}
      </div>
      <div className="composer-footer">
        <label className="voice-setting">
          <input
            type="checkbox"
            checked={sendSpokenAtOnce}
            onChange={(event) => sendSpokenAtOncePreference.set(event.target.checked)}
          />{' '}
          Send spoken questions at once
        </label>
        <p className="shortcut-hint">
          <kbd>Enter</kbd> send · <kbd>Shift</kbd>+<kbd>Enter</kbd> new line · <kbd>Esc</kbd> stop ·{' '}
          <kbd>{modifier}</kbd>+<kbd>Shift</kbd>+<kbd>O</kbd> new chat · <kbd>{modifier}</kbd>+<kbd>K</kbd>{' '}
          search
        </p>
        <p
          id="composer-counter"
          className={`character-counter${isAtLimit ? ' at-limit' : ''}`}
          aria-live="polite"
          hidden={draft.length < counterFrom}
        >
          {formatCount(draft.length)} / {formatCount(maxMessageCharacters)}
          {isAtLimit &&
            (wasCut ? ' — the limit: the pasted text was cut here' : ' — the limit: nothing more fits')}
        </p>
      </div>
    </form>
  );
}
