import type { SqliteDatabase } from '../../../../sqlite/index.js';

/** How rare each term is in the indexed chunks: what "distinctive" means for a question. */
export type TermStatistics = (terms: readonly string[]) => Map<string, number>;

/**
 * Inverse document frequency of each term over every indexed chunk (BM25's idf, never
 * negative). A term the knowledge base has never seen gets the highest weight there is: it is
 * the part of a question the documents cannot speak to.
 */
export function createTermStatistics(database: SqliteDatabase): TermStatistics {
  const frequency = database.prepare<[string], { doc: number }>(
    'SELECT doc FROM kb_chunks_vocab WHERE term = ?',
  );
  const chunkCount = database.prepare<[], { count: number }>('SELECT count(*) AS count FROM kb_chunks');
  return (terms) => {
    const documents = chunkCount.get()?.count ?? 0;
    const weights = new Map<string, number>();
    for (const term of new Set(terms)) {
      weights.set(term, inverseDocumentFrequency(documents, frequency.get(term)?.doc ?? 0));
    }
    return weights;
  };
}

/** BM25's idf of a term found in `found` of `documents` documents. */
export const inverseDocumentFrequency = (documents: number, found: number): number =>
  Math.log(1 + (documents - found + 0.5) / (found + 0.5));
