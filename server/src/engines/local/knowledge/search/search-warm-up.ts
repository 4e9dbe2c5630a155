import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Vectors loaded at start-up, at most: ~75 MB of 384-d MiniLM vectors (the Git docs' 1,435
 * chunks are ~11,000 windowed vectors). Stores past it load at their first search, as before.
 */
export const warmUpVectorBudget = 50_000;

/**
 * Searches each store once in the background after start-up, most recently active first, so
 * its vectors are in memory (and its keyword index pages in the page cache) before someone asks:
 * the first search of a store after a start loads every vector from SQLite on the event loop
 * (Git docs: 130-210 ms at load 11, against ~20 ms warm), which fell on a user's answer turn
 * and was the slowest turn of a bench:answers run. One store per event-loop turn; stops at
 * `budget` vectors held, or when `isStopped` says the knowledge base is closing. Answers the
 * stores warmed.
 */
export async function warmUpSearch(input: {
  /** Most recently active first. */
  vectorStoreIds: readonly string[];
  /** Searches the store once; answers how many vectors are then held, all stores together. */
  warm: (vectorStoreId: string) => Promise<number>;
  isStopped: () => boolean;
  budget?: number;
}): Promise<string[]> {
  const budget = input.budget ?? warmUpVectorBudget;
  const warmed: string[] = [];
  for (const vectorStoreId of input.vectorStoreIds) {
    await nextTurn();
    if (input.isStopped()) break;
    const held = await input.warm(vectorStoreId);
    warmed.push(vectorStoreId);
    if (held >= budget) break;
  }
  return warmed;
}
