import type { ThreadSummary } from '@threadline/shared';
import { useCallback, useEffect, useState } from 'react';
import { describeError } from '../../lib/api-error.js';
import { listThreads } from './threads-api.js';

type ListState = {
  threads: ThreadSummary[];
  nextCursor: string | null;
  status: 'loading' | 'ready' | 'loading-more' | 'error';
  error: string | null;
};

/** Newest-first pages of the user's threads, filtered by a search text; reloads on `refreshKey`. */
export function useThreadList(search: string, refreshKey: number) {
  const [state, setState] = useState<ListState>({
    threads: [],
    nextCursor: null,
    status: 'loading',
    error: null,
  });

  useEffect(() => {
    const abort = new AbortController();
    // Debounced so typing a search does not send a request per key.
    const timer = setTimeout(() => {
      setState((current) => ({ ...current, status: 'loading', error: null }));
      listThreads({ q: search.trim() || undefined }, abort.signal).then(
        (page) => setState({ threads: page.data, nextCursor: page.nextCursor, status: 'ready', error: null }),
        (error: unknown) => {
          if (!abort.signal.aborted)
            setState((current) => ({ ...current, status: 'error', error: describeError(error) }));
        },
      );
    }, 200);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [search, refreshKey]);

  const loadMore = useCallback(() => {
    if (!state.nextCursor || state.status !== 'ready') return;
    setState((current) => ({ ...current, status: 'loading-more' }));
    listThreads({ cursor: state.nextCursor, q: search.trim() || undefined }).then(
      (page) =>
        setState((current) => ({
          threads: [
            ...current.threads,
            ...page.data.filter((thread) => !current.threads.some((known) => known.id === thread.id)),
          ],
          nextCursor: page.nextCursor,
          status: 'ready',
          error: null,
        })),
      (error: unknown) =>
        setState((current) => ({ ...current, status: 'error', error: describeError(error) })),
    );
  }, [state.nextCursor, state.status, search]);

  const replace = useCallback(
    (update: (threads: ThreadSummary[]) => ThreadSummary[]) =>
      setState((current) => ({ ...current, threads: update(current.threads) })),
    [],
  );

  return { ...state, loadMore, replace };
}
