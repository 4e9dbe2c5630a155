import { useCallback, useId, useRef, useState } from 'react';
import type { SearchedStores } from './use-searched-stores.js';
import { useDismiss } from '../../lib/use-dismiss.js';

const fileCount = (count: number) => `${count} ${count === 1 ? 'file' : 'files'}`;

/** Above the composer: which store(s) this conversation searches, and a menu to change them. */
export function KnowledgePicker({ searched }: { searched: SearchedStores }) {
  const [isOpen, setIsOpen] = useState(false);
  const closePanel = useCallback(() => setIsOpen(false), []);
  const panelId = useId();
  const wrapper = useRef<HTMLDivElement>(null);
  const { stores, shownIds, isNewConversation, refresh, change } = searched;

  useDismiss(isOpen, wrapper, closePanel);

  const shown = (shownIds ?? [])
    .map((id) => stores?.find((store) => store.id === id))
    .filter((store) => !!store);
  const summary =
    shownIds === null
      ? searched.problem
        ? 'unknown (the server did not answer)'
        : 'loading…'
      : shown.length === 0
        ? 'no knowledge base'
        : shown.length === 1
          ? (shown[0]?.name ?? '')
          : `${shown.length} stores`;

  const toggle = (id: string, isChecked: boolean) => {
    const current = shownIds ?? [];
    const next = isChecked ? [...current, id] : current.filter((item) => item !== id);
    // An existing conversation keeps at least one store (naming none would mean "its own" again).
    if (next.length === 0 && !isNewConversation) return;
    change(next);
  };

  return (
    <div className="knowledge-picker" ref={wrapper}>
      <button
        type="button"
        className={`link-button knowledge-summary${shown.length === 0 && shownIds !== null ? ' is-empty' : ''}`}
        aria-expanded={isOpen}
        aria-controls={panelId}
        onClick={() => {
          if (!isOpen) refresh();
          setIsOpen((open) => !open);
        }}
      >
        Searching: <strong>{summary}</strong> <span aria-hidden="true">▾</span>
      </button>
      {isOpen && (
        <div className="knowledge-panel" id={panelId} role="dialog" aria-label="Knowledge base to search">
          <p className="hint">
            {isNewConversation
              ? 'New conversations search these stores (your default, on every device).'
              : 'This conversation searches these stores from its next question on.'}
          </p>
          {stores === null ? (
            <p className="hint">{searched.problem ?? 'Loading the stores…'}</p>
          ) : stores.length === 0 ? (
            <p className="hint">No stores yet.</p>
          ) : (
            <ul>
              {stores.map((store) => (
                <li key={store.id}>
                  <label>
                    <input
                      type="checkbox"
                      checked={shownIds?.includes(store.id) ?? false}
                      onChange={(event) => toggle(store.id, event.target.checked)}
                    />{' '}
                    <span className="store-name">{store.name}</span>{' '}
                    <span className="muted">{fileCount(store.fileCounts.total)}</span>
                  </label>
                </li>
              ))}
            </ul>
          )}
          <a href="#/knowledge" className="small-link">
            Add files or stores on the Knowledge page
          </a>
        </div>
      )}
    </div>
  );
}
