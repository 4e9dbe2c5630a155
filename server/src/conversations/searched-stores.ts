import type { Thread } from '@threadline/shared';
import { waitForIngestion, type DefaultKnowledge, type OwnedKnowledge } from '../knowledge/index.js';

/** How long a send waits for its default knowledge base to finish ingesting (a fresh install). */
const ingestionWaitMs = 60_000;

const storesOf = (thread: Thread | null) => thread?.tool_resources?.file_search?.vector_store_ids ?? [];

/**
 * The vector stores a send searches: the ones it names; else the thread's own; else, for a new
 * thread or one that names none, the user's default knowledge base. `undefined` leaves the choice
 * to the engine (the thread's stores).
 */
export async function searchedStores(
  app: { defaultKnowledge: DefaultKnowledge; knowledgeFor: (userId: string) => OwnedKnowledge },
  input: { userId: string; requested: string[] | undefined; thread: Thread | null; signal: AbortSignal },
): Promise<string[] | undefined> {
  if (input.requested) return input.requested;
  if (storesOf(input.thread).length > 0) return undefined;
  const defaults = await app.defaultKnowledge.storeIds(input.userId);
  if (defaults.length === 0) return undefined;
  await waitForIngestion(app.knowledgeFor(input.userId).vectorStores, defaults, {
    timeoutMs: ingestionWaitMs,
    signal: input.signal,
  });
  return defaults;
}

/** Whether a send's stores differ from the ones the thread was made with (the history shows them). */
export const changesStores = (thread: Thread, vectorStoreIds: string[] | undefined): boolean =>
  vectorStoreIds !== undefined && vectorStoreIds.join('\n') !== storesOf(thread).join('\n');
