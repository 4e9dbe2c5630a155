import type { ThreadSummary } from '@threadline/shared';
import { useState, type FormEvent } from 'react';
import { PencilIcon, TrashIcon } from '../../components/icons.js';

type ThreadItemProps = {
  thread: ThreadSummary;
  isCurrent: boolean;
  onOpen: () => void;
  onRename: (title: string) => Promise<void>;
  onDelete: () => Promise<void>;
};

/** The server titles the threads of Compare runs so; the history labels them. */
const comparePrefix = 'Compare: ';

const when = (iso: string) => {
  const date = new Date(iso);
  const isToday = date.toDateString() === new Date().toDateString();
  return isToday
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
};

export function ThreadItem({ thread, isCurrent, onOpen, onRename, onDelete }: ThreadItemProps) {
  const [mode, setMode] = useState<'view' | 'rename' | 'confirm-delete'>('view');
  const [title, setTitle] = useState(thread.title);
  const [problem, setProblem] = useState<string | null>(null);

  const act = (action: () => Promise<void>) => {
    setProblem(null);
    action().then(
      () => setMode('view'),
      (error: unknown) => setProblem(error instanceof Error ? error.message : String(error)),
    );
  };
  const submitRename = (event: FormEvent) => {
    event.preventDefault();
    if (title.trim() !== '') act(() => onRename(title.trim()));
  };

  return (
    <li className={`thread-item${isCurrent ? ' current' : ''}`}>
      {mode === 'rename' ? (
        <form className="thread-rename" onSubmit={submitRename}>
          <input
            aria-label="New title"
            value={title}
            maxLength={200}
            autoFocus
            onChange={(event) => setTitle(event.target.value)}
          />
          <button type="submit" className="button small primary">
            Save
          </button>
          <button type="button" className="button small" onClick={() => setMode('view')}>
            Cancel
          </button>
        </form>
      ) : (
        <button
          type="button"
          className="thread-open"
          onClick={onOpen}
          aria-current={isCurrent ? 'true' : undefined}
        >
          <span className="thread-title">
            {thread.title.startsWith(comparePrefix) && <span className="badge compare-badge">Compare</span>}{' '}
            {thread.title.startsWith(comparePrefix)
              ? thread.title.slice(comparePrefix.length)
              : thread.title || 'Untitled'}
          </span>
          <span className="thread-meta">
            {when(thread.updatedAt)} · {thread.messageCount}{' '}
            {thread.messageCount === 1 ? 'message' : 'messages'}
          </span>
          {thread.lastMessagePreview && <span className="thread-preview">{thread.lastMessagePreview}</span>}
        </button>
      )}
      {mode === 'view' && (
        <span className="thread-actions">
          <button
            type="button"
            className="icon-button"
            aria-label={`Rename ${thread.title}`}
            onClick={() => setMode('rename')}
          >
            <PencilIcon />
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={`Delete ${thread.title}`}
            onClick={() => setMode('confirm-delete')}
          >
            <TrashIcon />
          </button>
        </span>
      )}
      {mode === 'confirm-delete' && (
        <span className="thread-confirm">
          Delete this conversation?
          <button type="button" className="button small danger" onClick={() => act(onDelete)}>
            Delete
          </button>
          <button type="button" className="button small" onClick={() => setMode('view')}>
            Keep
          </button>
        </span>
      )}
      {problem && (
        <span className="problem small" role="alert">
          {problem}
        </span>
      )}
    </li>
  );
}
