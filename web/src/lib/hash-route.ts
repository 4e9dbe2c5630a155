import { useSyncExternalStore } from 'react';

/** Hash routes keep deep links working on any static host and survive reloads. */
export type Route = { page: 'chat'; threadId: string | null } | { page: 'knowledge' } | { page: 'compare' };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  if (path === 'knowledge') return { page: 'knowledge' };
  if (path === 'compare') return { page: 'compare' };
  const thread = /^chat\/([\w-]{1,128})$/.exec(path);
  return { page: 'chat', threadId: thread?.[1] ?? null };
}

export function routeHash(route: Route): string {
  switch (route.page) {
    case 'chat':
      return route.threadId ? `#/chat/${route.threadId}` : '#/chat';
    case 'knowledge':
      return '#/knowledge';
    case 'compare':
      return '#/compare';
  }
}

export function navigate(route: Route, options: { replace?: boolean } = {}): void {
  const hash = routeHash(route);
  if (window.location.hash === hash) return;
  if (options.replace) {
    window.history.replaceState(null, '', hash);
    window.dispatchEvent(new HashChangeEvent('hashchange'));
  } else {
    window.location.hash = hash;
  }
}

const subscribe = (listener: () => void) => {
  window.addEventListener('hashchange', listener);
  return () => window.removeEventListener('hashchange', listener);
};

export function useHashValue(): string {
  return useSyncExternalStore(
    subscribe,
    () => window.location.hash,
    () => '',
  );
}
