import type { VectorStoreSummary } from '@threadline/shared';
import type { Engine } from '../../engines/engine.js';
import { sampleStoreName } from '../knowledge/sample-knowledge.js';

/** The sample knowledge base's name, then the store the legacy routes create for themselves. */
export const legacyStoreNames = [sampleStoreName, 'legacy'] as const;

/**
 * The legacy assistant's one vector store (the quickstart had exactly one): the sample
 * knowledge base when it exists, so both backends answer from the same documents, else a store
 * named "legacy" created on first use. Concurrent first calls share one creation.
 */
export function createLegacyStoreResolver(engine: () => Engine) {
  let creating: Promise<VectorStoreSummary> | undefined;
  return async (): Promise<VectorStoreSummary> => {
    const stores = await engine().vectorStores.list();
    for (const name of legacyStoreNames) {
      const found = stores.find((store) => store.name === name);
      if (found) return found;
    }
    creating ??= engine()
      .vectorStores.create({ name: 'legacy' })
      .finally(() => (creating = undefined));
    return creating;
  };
}
