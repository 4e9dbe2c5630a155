import { useState } from 'react';
import { deleteThread, renameThread } from './threads-api.js';
import { ThreadItem } from './thread-item.js';
import { useThreadList } from './use-thread-list.js';

type ThreadsSidebarProps = {
  currentThreadId: string | null;
  refreshKey: number;
  hasHistory: boolean;
  onOpen: (threadId: string) => void;
  onNew: () => void;
  onDeleted: (threadId: string) => void;
};

/** The search box's id: the shell's Ctrl+K focuses it. */
export const threadsSearchId = 'threads-search';

/** The user's conversations, newest first: search, page, open, rename, delete, start anew. */
export function ThreadsSidebar({
  currentThreadId,
  refreshKey,
  hasHistory,
  onOpen,
  onNew,
  onDeleted,
}: ThreadsSidebarProps) {
  const [search, setSearch] = useState('');
  const list = useThreadList(search, refreshKey);

  return (
    <nav className="threads" aria-label="Conversation history">
      <div className="threads-head">
        <button type="button" className="button primary wide" onClick={onNew}>
          + New conversation
        </button>
        <input
          type="search"
          id={threadsSearchId}
          className="threads-search"
          placeholder="Search conversations"
          aria-label="Search conversations"
          value={search}
          onChange={(event) => setSearch(event.target.value)}
        />
      </div>
      {!hasHistory && (
        <p className="hint">The legacy route keeps no history; this list shows Threadline conversations.</p>
      )}
      {list.status === 'error' && (
        <p className="problem small" role="alert">
          {list.error}
        </p>
      )}
      {list.status === 'loading' && list.threads.length === 0 && <p className="placeholder">Loading…</p>}
      {list.status === 'ready' && list.threads.length === 0 && (
        <p className="placeholder">
          {search ? 'No conversation matches.' : 'No conversations yet. Ask something!'}
        </p>
      )}
      <ul className="thread-list">
        {list.threads.map((thread) => (
          <ThreadItem
            key={thread.id}
            thread={thread}
            isCurrent={thread.id === currentThreadId}
            onOpen={() => onOpen(thread.id)}
            onRename={async (title) => {
              const renamed = await renameThread(thread.id, title);
              list.replace((threads) => threads.map((item) => (item.id === renamed.id ? renamed : item)));
            }}
            onDelete={async () => {
              await deleteThread(thread.id);
              list.replace((threads) => threads.filter((item) => item.id !== thread.id));
              onDeleted(thread.id);
            }}
          />
        ))}
      </ul>
      {list.nextCursor && (
        <button
          type="button"
          className="button wide"
          onClick={list.loadMore}
          disabled={list.status !== 'ready'}
        >
          {list.status === 'loading-more' ? 'Loading…' : 'Load older conversations'}
        </button>
      )}
    </nav>
  );
}
