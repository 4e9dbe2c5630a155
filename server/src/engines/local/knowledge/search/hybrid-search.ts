import type { SqliteDatabase } from '../../../../sqlite/index.js';
import type { SearchEmphasis } from '../../../engine.js';
import { fuseRankings, withPendingAtKeywordRank } from './rank-fusion.js';
import { storeToken } from '../knowledge-store.js';
import { keywordQueryTerms, toMatchExpression } from './search-terms.js';
import { weightedTerms } from './weighted-query.js';
import type { VectorCache } from '../embed/vector-cache.js';
import { pendingEmbeddingModel } from '../ingest/ingestion-queue.js';

export type SearchInput = {
  vectorStoreIds: readonly string[];
  query: string;
  /** Words of the query that weigh more in both rankings (a follow-up's own), or none. */
  emphasis?: SearchEmphasis | null | undefined;
  queryVector: Float32Array;
  /** The model the query vector is in; only chunk vectors of that model are compared. */
  queryModel?: string | undefined;
  maxNumResults: number;
  scoreThreshold: number;
  keywordWeight: number;
  vectorWeight: number;
};

export type SearchResult = {
  chunkId: string;
  rowid: number;
  fileId: string;
  fileName: string;
  vectorStoreId: string;
  text: string;
  score: number;
  keywordRank: number | null;
  vectorRank: number | null;
};

/**
 * BM25 column weights. The headings column holds a chunk's whole section path, the same for every
 * chunk under a heading, so weighed above body text a question word in an outer heading lifts every
 * section below it, whatever each says, above a passage whose text says what is asked (see
 * keyword-field-weights.test.ts). Weighed as body text (2 → 1), measured with MiniLM: Fastify's
 * answers correct 0.75 → 0.80 ("share a decorator from a plugin": Plugins-Guide's passage is read
 * before Decorators' others), every other set of `npm run bench:answers` unchanged;
 * `npm run bench:retrieval` on the Git docs MRR@10 0.68 → 0.69, hit@5 and paraphrase hit@5 the same.
 * The title column (the document's title, file name and lead, the same for each of its chunks)
 * weighs as body text here: weighed 8, a document whose lead carries the question's words ranked all of its
 * chunks above the one passage elsewhere that answers (the product's docs: nine chunks of
 * deployment.md, whose lead mentions MongoDB, above the FAQ's "How do I store transcripts in
 * MongoDB?"). What a document is about counts through the title list below instead. Measured with
 * `npm run bench:retrieval` on the Git docs, title 8 → 1: MRR@10 0.69 → 0.72 with hashed vectors,
 * 0.71 → 0.71 with the model (paraphrase MRR 0.40 → 0.43).
 */
export const fieldWeights = { title: 1, headings: 1, body: 1 };

/** How many candidates each retriever contributes to fusion. */
const candidateCount = (maxNumResults: number) => Math.max(50, maxNumResults * 3);

/**
 * Matches a query term can add before the rarest terms alone are used: BM25 scores every
 * matching row, so a query full of everyday words over 100k chunks would score most of them.
 * Below the budget (any small store) the query runs in full and ranking is exact.
 */
export const postingsBudget = 10_000;

/**
 * Weight of the document-title list relative to the keyword list. Chunks whose document title
 * and lead (a man page's NAME line, a README's intro) match the question form a third ranked
 * list: it lifts the document that is *about* the question above long documents that merely
 * mention its words (measured on the Git docs: MRR@10 0.54 → 0.69 at 0.3).
 */
export const titleListWeight = 0.3;

/** Chunk rowids ranked by BM25 over all fields, and over document titles only, best first. */
export function keywordRankings(
  database: SqliteDatabase,
  vectorStoreIds: readonly string[],
  query: string,
  limit: number,
  emphasis: SearchEmphasis | null = null,
): { all: number[]; title: number[] } {
  // A phrase the documents write as one word ("check out" → `checkout`) is searched as that
  // word too: every joined form is kept here, and pruneCommonTerms drops those no chunk holds.
  const terms = pruneCommonTerms(
    database,
    keywordQueryTerms(query, () => true),
  );
  if (terms.length === 0) return { all: [], title: [] };
  const storeCount =
    database.prepare<[], { count: number }>('SELECT count(*) AS count FROM kb_vector_stores').get()?.count ??
    0;
  // Searching every store (the usual single-store install) needs no store filter, which
  // would otherwise cost a merge with the store's whole posting list.
  const isEveryStore = new Set(vectorStoreIds).size >= storeCount;
  const stores = vectorStoreIds.map((id) => `"${storeToken(id)}"`).join(' OR ');
  const run = (matched: string, weights: string) =>
    database
      .prepare<[string, number], { rowid: number }>(
        `SELECT rowid FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ? ORDER BY bm25(kb_chunks_fts, ${weights}) LIMIT ?`,
      )
      .all(isEveryStore ? matched : `store : (${stores}) AND (${matched})`, limit)
      .map((row) => row.rowid);
  // `"send" OR "send"` scores a match twice: an emphasised term's weight (weightedTerms).
  const expression = toMatchExpression(weightedTerms(terms, emphasis));
  return {
    all: run(expression, `0, ${fieldWeights.title}, ${fieldWeights.headings}, ${fieldWeights.body}`),
    title: run(`title : (${expression})`, '0, 1, 0, 0'),
  };
}

/** Drops the most frequent terms until the rest stay within the postings budget (keeps at least one). */
export function pruneCommonTerms(database: SqliteDatabase, terms: readonly string[]): string[] {
  if (terms.length <= 1) return [...terms];
  const frequency = database.prepare<[string], { doc: number }>(
    'SELECT doc FROM kb_chunks_vocab WHERE term = ?',
  );
  const counted = terms
    .map((term) => ({ term, documents: frequency.get(term)?.doc ?? 0 }))
    .filter((entry) => entry.documents > 0)
    .sort((left, right) => left.documents - right.documents);
  const kept: string[] = [];
  let postings = 0;
  for (const entry of counted) {
    if (kept.length > 0 && postings + entry.documents > postingsBudget) break;
    kept.push(entry.term);
    postings += entry.documents;
  }
  return kept;
}

/** Keyword, vector and document-title rankings fused by weighted reciprocal rank (k = 60). */
export function hybridSearch(
  database: SqliteDatabase,
  vectors: VectorCache,
  input: SearchInput,
): SearchResult[] {
  const limit = candidateCount(input.maxNumResults);
  const keyword =
    input.keywordWeight > 0
      ? keywordRankings(database, input.vectorStoreIds, input.query, limit, input.emphasis ?? null)
      : { all: [], title: [] };
  const vector =
    input.vectorWeight > 0 && input.queryVector.length > 0
      ? vectors.nearest(input.vectorStoreIds, input.queryVector, limit, input.queryModel)
      : [];
  const pending =
    input.vectorWeight > 0 && input.queryVector.length > 0
      ? withoutVectors(database, keyword.all, input.queryModel)
      : new Set<number>();
  const fused = fuseRankings([
    { name: 'keyword', weight: input.keywordWeight, ids: keyword.all.map(String) },
    {
      name: 'vector',
      weight: input.vectorWeight,
      ids: withPendingAtKeywordRank(vector, keyword.all, pending).map(String),
    },
    { name: 'title', weight: input.keywordWeight * titleListWeight, ids: keyword.title.map(String) },
  ])
    .filter((result) => result.score >= input.scoreThreshold)
    .slice(0, input.maxNumResults);
  if (fused.length === 0) return [];
  const rows = loadChunks(
    database,
    fused.map((result) => Number(result.id)),
  );
  return fused.flatMap((result) => {
    const row = rows.get(Number(result.id));
    if (!row) return [];
    return [
      {
        chunkId: row.id,
        rowid: row.rowid,
        fileId: row.file_id,
        fileName: row.file_name,
        vectorStoreId: row.vector_store_id,
        text: row.text,
        score: result.score,
        keywordRank: result.ranks.keyword,
        // A chunk without a vector was placed in the vector list at its keyword rank; it has no rank of its own.
        vectorRank: pending.has(row.rowid) ? null : result.ranks.vector,
      },
    ];
  });
}

/** Which of these chunks have no vector in the query's model yet (pending, or another model's). */
function withoutVectors(
  database: SqliteDatabase,
  rowids: readonly number[],
  model: string | undefined,
): Set<number> {
  if (rowids.length === 0) return new Set();
  const placeholders = rowids.map(() => '?').join(', ');
  const rows = database
    .prepare<unknown[], { rowid: number }>(
      `SELECT rowid FROM kb_chunks WHERE rowid IN (${placeholders}) AND embedding_model != ?`,
    )
    .all(...rowids, model ?? pendingEmbeddingModel);
  return new Set(rows.map((row) => row.rowid));
}

type ChunkRow = {
  rowid: number;
  id: string;
  file_id: string;
  file_name: string;
  vector_store_id: string;
  text: string;
};

function loadChunks(database: SqliteDatabase, rowids: readonly number[]): Map<number, ChunkRow> {
  const placeholders = rowids.map(() => '?').join(', ');
  const rows = database
    .prepare<unknown[], ChunkRow>(
      `SELECT c.rowid, c.id, c.file_id, f.file_name, c.vector_store_id, c.text FROM kb_chunks c
       JOIN kb_files f ON f.id = c.file_id WHERE c.rowid IN (${placeholders})`,
    )
    .all(...rowids);
  return new Map(rows.map((row) => [row.rowid, row]));
}
