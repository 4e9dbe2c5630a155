import { isSampleKnowledgeBaseName, type VectorStoreSummary } from '@threadline/shared';
import type { VectorStoreApi } from '../../engines/index.js';
/**
 * The legacy assistant's one vector store per user (the quickstart had exactly one): the user's
 * sample knowledge base when it exists, so both backends answer from the same documents, else a
 * store named "legacy" created on first use. Concurrent first calls of one user share one creation.
 */
export function createLegacyStoreResolver() {
  const creating = new Map<string, Promise<VectorStoreSummary>>();
  return async (userId: string, vectorStores: VectorStoreApi): Promise<VectorStoreSummary> => {
    const stores = await vectorStores.list();
    const found =
      stores.find((store) => isSampleKnowledgeBaseName(store.name)) ??
      stores.find((store) => store.name === 'legacy');
    if (found) return found;
    const pending = creating.get(userId);
    if (pending) return pending;
    const created = vectorStores.create({ name: 'legacy' }).finally(() => creating.delete(userId));
    creating.set(userId, created);
    return created;
  };
}
