import type { SqliteDatabase } from '../../../../sqlite/index.js';

/**
 * What the knowledge base says about a question's terms: how rare each is in the indexed chunks
 * (what "distinctive" means for a question), whether the documents know the word at all, and
 * which of them a given file mentions.
 */
export type TermStatistics = {
  weights(terms: readonly string[]): Map<string, TermWeight>;
  /** The terms that occur somewhere in the file (any of its chunks, in any store), derived forms counted. */
  inFile(fileId: string, terms: readonly string[]): Set<string>;
};

export type TermWeight = {
  /** BM25's idf over every indexed chunk, never negative. */
  idf: number;
  /** How many chunks hold the term. */
  chunks: number;
  /**
   * Whether the documents use the word, exactly or derived ("verified" where they say
   * "verification", "uncommitted" where they say "commit"): a word they never use in any form
   * is something they are not about.
   */
  isKnown: boolean;
};

const negations = /^(un|non|re|pre|de|dis)(?=\p{L}{4})/u;

/**
 * A term the knowledge base has never seen gets the highest idf there is: it is the part of a
 * question the documents cannot speak to.
 */
export function createTermStatistics(database: SqliteDatabase): TermStatistics {
  const frequency = database.prepare<[string], { doc: number }>(
    'SELECT doc FROM kb_chunks_vocab WHERE term = ?',
  );
  const withPrefix = database.prepare<[string, string], { term: string }>(
    'SELECT term FROM kb_chunks_vocab WHERE term >= ? AND term < ? LIMIT 1',
  );
  const chunkCount = database.prepare<[], { count: number }>('SELECT count(*) AS count FROM kb_chunks');
  const inFile = database.prepare<[string, string], { found: number }>(
    `SELECT 1 AS found FROM kb_chunks_fts JOIN kb_chunks ON kb_chunks.rowid = kb_chunks_fts.rowid
     WHERE kb_chunks_fts MATCH ? AND kb_chunks.file_id = ? LIMIT 1`,
  );
  const chunksOf = (term: string) => frequency.get(term)?.doc ?? 0;
  const hasDerived = (term: string) => {
    if (term.length < 5) return false;
    const prefix = term.slice(0, Math.max(5, term.length - 1));
    const after = `${prefix.slice(0, -1)}${String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1)}`;
    return withPrefix.get(prefix, after) !== undefined;
  };
  const isKnown = knownTerms(chunksOf, hasDerived);
  return {
    weights(terms) {
      return termWeights(terms, chunkCount.get()?.count ?? 0, chunksOf, isKnown);
    },
    inFile(fileId, terms) {
      return new Set(
        // A prefix query: "accident" is known to a file that says "accidental".
        terms.filter((term) => inFile.get(`"${term.replaceAll('"', '""')}"*`, fileId) !== undefined),
      );
    },
  };
}

/**
 * Whether the knowledge base speaks to a term: it is in some chunk, a word derived from it is
 * ("accident" → "accidental"), or it is a negation of one ("unstaged" → "staged").
 */
export function knownTerms(
  chunksOf: (term: string) => number,
  hasDerived: (term: string) => boolean,
): (term: string) => boolean {
  return (term) => {
    if (chunksOf(term) > 0 || hasDerived(term)) return true;
    const stripped = term.replace(negations, '');
    return stripped !== term && (chunksOf(stripped) > 0 || hasDerived(stripped));
  };
}

/** Each distinct term's weight over `documents` chunks, from its chunk count and whether it is known. */
export function termWeights(
  terms: readonly string[],
  documents: number,
  chunksOf: (term: string) => number,
  isKnown: (term: string) => boolean,
): Map<string, TermWeight> {
  const weights = new Map<string, TermWeight>();
  for (const term of new Set(terms)) {
    const chunks = chunksOf(term);
    weights.set(term, { idf: inverseDocumentFrequency(documents, chunks), chunks, isKnown: isKnown(term) });
  }
  return weights;
}

/** BM25's idf of a term found in `found` of `documents` documents. */
export const inverseDocumentFrequency = (documents: number, found: number): number =>
  Math.log(1 + (documents - found + 0.5) / (found + 0.5));
