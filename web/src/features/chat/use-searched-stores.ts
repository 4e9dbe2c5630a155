import { threadSummarySchema, type VectorStoreSummary } from '@threadline/shared';
import { useCallback, useEffect, useState } from 'react';
import { endpoints } from '../../config/api.js';
import { describeError } from '../../lib/api-error.js';
import { requestJson } from '../../lib/http.js';
import {
  getDefaultKnowledgeBase,
  listVectorStores,
  setDefaultKnowledgeBase,
} from '../../lib/knowledge-stores.js';

export type SearchedStores = {
  /** Every store the user has, with file counts (null while loading or when unreadable). */
  stores: VectorStoreSummary[] | null;
  /** What the conversation on screen searches (a new one: the user's default). */
  shownIds: string[] | null;
  /** What a send names: an existing conversation's stores (a new one: nothing, the server decides). */
  sendIds: string[] | undefined;
  isNewConversation: boolean;
  problem: string | null;
  refresh: () => void;
  change: (vectorStoreIds: string[]) => void;
};

/**
 * Which knowledge base the conversation searches. A new conversation searches the user's default,
 * kept on the server (so another browser or device sees the same); changing it there changes the
 * default. An existing conversation shows the stores it was made with; changing them applies to
 * its next questions (the server then records them with the thread).
 */
export function useSearchedStores(threadId: string | null, refreshKey: number): SearchedStores {
  const [stores, setStores] = useState<VectorStoreSummary[] | null>(null);
  const [defaultIds, setDefaultIds] = useState<string[] | null>(null);
  const [threadIds, setThreadIds] = useState<string[] | null>(null);
  const [override, setOverride] = useState<string[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [reload, setReload] = useState(0);

  useEffect(() => {
    const abort = new AbortController();
    Promise.all([listVectorStores(), getDefaultKnowledgeBase()]).then(
      ([list, defaults]) => {
        if (abort.signal.aborted) return;
        setStores(list.data);
        setDefaultIds(defaults.vectorStores.map((store) => store.id));
        setProblem(null);
      },
      (error: unknown) => {
        if (!abort.signal.aborted) setProblem(describeError(error));
      },
    );
    return () => abort.abort();
  }, [refreshKey, reload]);

  useEffect(() => setOverride(null), [threadId]);
  useEffect(() => {
    setThreadIds(null);
    if (threadId === null) return;
    const abort = new AbortController();
    // A thread this page has just created may not be recorded yet: then the default is shown.
    requestJson(endpoints().thread(threadId), threadSummarySchema, { signal: abort.signal }).then(
      (thread) => setThreadIds(thread.vectorStoreIds),
      () => undefined,
    );
    return () => abort.abort();
  }, [threadId, refreshKey]);

  const change = useCallback(
    (vectorStoreIds: string[]) => {
      if (threadId !== null) return setOverride(vectorStoreIds);
      setDefaultIds(vectorStoreIds);
      setDefaultKnowledgeBase(vectorStoreIds).then(
        (saved) => setDefaultIds(saved.vectorStores.map((store) => store.id)),
        (error: unknown) => setProblem(describeError(error)),
      );
    },
    [threadId],
  );

  const threadStores = threadIds && threadIds.length > 0 ? threadIds : null;
  return {
    stores,
    shownIds: threadId === null ? defaultIds : (override ?? threadStores ?? defaultIds),
    // An existing conversation names its stores: the history records a change made here, while
    // the engine's thread keeps the stores it was made with.
    sendIds: threadId !== null ? (override ?? threadStores ?? undefined) : undefined,
    isNewConversation: threadId === null,
    problem,
    refresh: useCallback(() => setReload((count) => count + 1), []),
    change,
  };
}
