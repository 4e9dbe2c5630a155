import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { AppHeader } from './app-header.js';
import { ChatPage } from './features/chat/chat-page.js';
import { threadsSearchId, ThreadsSidebar } from './features/threads/threads-sidebar.js';
import { describeBackend } from './config/api.js';
import { navigate, parseRoute, useHashValue } from './lib/hash-route.js';
import { themePreference, threadPreference, useLocalValue } from './lib/preferences.js';
import { useServerStatus } from './lib/server-status.js';
import { useBackend } from './lib/use-backend.js';
import { useShortcuts } from './lib/use-shortcuts.js';
import { StatusBanner } from './status-banner.js';

// Chat is the landing page; the other two load on first visit, which keeps the first download
// small (the service worker precaches them, so they still open offline).
const KnowledgePage = lazy(() =>
  import('./features/knowledge/knowledge-page.js').then((module) => ({ default: module.KnowledgePage })),
);
const ComparePage = lazy(() =>
  import('./features/compare/compare-page.js').then((module) => ({ default: module.ComparePage })),
);

const pageLoading = (
  <p className="empty-state muted" role="status">
    Loading…
  </p>
);

/** The shell: header, server status, and the page the URL hash names. */
export function App() {
  const route = parseRoute(useHashValue());
  const backend = useBackend();
  const theme = useLocalValue(themePreference);
  const server = useServerStatus();
  const [historyKey, setHistoryKey] = useState(0);
  const [isHistoryOpen, setIsHistoryOpen] = useState(false);
  const threadId = route.page === 'chat' ? route.threadId : null;

  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
  }, [theme]);

  // A reload without a thread in the URL reopens the last one.
  useEffect(() => {
    const remembered = threadPreference.get();
    if (route.page === 'chat' && route.threadId === null && remembered && window.location.hash === '') {
      navigate({ page: 'chat', threadId: remembered }, { replace: true });
    }
    // Only on first load: later navigation to a blank chat means "new conversation".
  }, []);

  // The phone drawer closes whenever the page or the conversation changes.
  useEffect(() => setIsHistoryOpen(false), [route.page, threadId]);

  const openThread = useCallback((id: string | null) => {
    threadPreference.set(id);
    setIsHistoryOpen(false);
    navigate({ page: 'chat', threadId: id });
  }, []);

  // After the page has rendered the chat (and on a phone, the drawer): focus what the shortcut named.
  const focusSoon = (id: string) => setTimeout(() => document.getElementById(id)?.focus(), 0);
  useShortcuts({
    onNewChat: () => {
      openThread(null);
      focusSoon('composer-input');
    },
    onSearch: () => {
      if (route.page !== 'chat') navigate({ page: 'chat', threadId });
      setIsHistoryOpen(true);
      focusSoon(threadsSearchId);
    },
  });

  // Switching backend starts a new conversation: a thread belongs to the backend that made it.
  const shownBackend = useRef(backend);
  useEffect(() => {
    if (shownBackend.current === backend) return;
    shownBackend.current = backend;
    if (threadId !== null) openThread(null);
  }, [backend, threadId, openThread]);

  return (
    <div className="app">
      <AppHeader
        route={route}
        backend={backend}
        onToggleHistory={route.page === 'chat' ? () => setIsHistoryOpen((open) => !open) : null}
      />
      <StatusBanner status={server} />
      <main className={`app-main page-${route.page}`}>
        {route.page === 'chat' && (
          <div className={`chat-layout${isHistoryOpen ? ' history-open' : ''}`}>
            {isHistoryOpen && (
              <button
                type="button"
                className="drawer-backdrop"
                aria-label="Close conversations"
                onClick={() => setIsHistoryOpen(false)}
              />
            )}
            <ThreadsSidebar
              currentThreadId={threadId}
              refreshKey={historyKey}
              hasHistory={describeBackend(backend).hasHistory}
              onOpen={openThread}
              onNew={() => openThread(null)}
              onDeleted={(id) => {
                if (id === threadId) openThread(null);
              }}
            />
            <ChatPage
              key={backend}
              backend={backend}
              threadId={threadId}
              serverState={server.state}
              onThreadCreated={(id) => {
                threadPreference.set(id);
                navigate({ page: 'chat', threadId: id }, { replace: true });
                setHistoryKey((key) => key + 1);
              }}
              onRunEnded={() => setHistoryKey((key) => key + 1)}
            />
          </div>
        )}
        <Suspense fallback={pageLoading}>
          {route.page === 'knowledge' && <KnowledgePage />}
          {route.page === 'compare' && <ComparePage />}
        </Suspense>
      </main>
    </div>
  );
}
