import pg from 'pg';
import { inTransaction, scopedDatabase, type ScopedDatabase } from '../../../../postgres/index.js';
import { fieldWeights, postingsBudget, titleListWeight } from './hybrid-search.js';
import type { SearchEmphasis } from '../../../engine.js';
import { keywordQueryTerms } from './search-terms.js';
import { weightedTerms } from './weighted-query.js';

export type PostgresSearchInput = {
  query: string;
  /** Words that weigh more in the keyword ranking (a follow-up's own), as SQLite weighs them. */
  emphasis?: SearchEmphasis | null | undefined;
  queryVector: Float32Array;
  /** The model the query vector is in; only chunk vectors of that model are compared. */
  queryModel: string;
  maxNumResults: number;
  scoreThreshold: number;
  keywordWeight: number;
  vectorWeight: number;
  /** Stores up to this many vectors are scanned exactly (default `exactScanLimit`). */
  exactScanLimit?: number | undefined;
  /**
   * The corpus statistics BM25 needs (PostgresTermStatistics keeps them): with them the keyword
   * and title lists rank by BM25 as SQLite's FTS5 does; without, by ts_rank, which has no idf.
   */
  bm25?: Bm25Statistics | undefined;
};

export type Bm25Statistics = {
  /** Chunks in the database (FTS5's N: the whole table, every store). */
  documents: number;
  /** Their mean length in indexed tokens. */
  averageLength: number;
  /** How many chunks hold the term. */
  frequency(term: string): number;
  /**
   * How many chunks hold the term in their title: the title list's idf, as FTS5 counts a
   * column-filtered phrase's rows (`title : …`) for its idf.
   */
  titleFrequency(term: string): number;
};

export type PostgresSearchResult = {
  chunkId: string;
  fileId: string;
  fileName: string;
  vectorStoreId: string;
  text: string;
  score: number;
  keywordRank: number | null;
  vectorRank: number | null;
};

/**
 * Up to this many vectors in the searched stores are compared exactly (no index): a small
 * store among many large ones is never searched through the shared HNSW graph, whose filtered
 * walk can end before it has found the store's own nearest chunks (Open WebUI #30135).
 */
export const exactScanLimit = 20_000;
const rrfK = 60;
const candidateCount = (maxNumResults: number) => Math.max(50, maxNumResults * 3);

/**
 * Keyword (Postgres full text over the analysed fields, weighted title > headings > body),
 * vector (pgvector cosine) and document-title rankings fused by weighted reciprocal rank in
 * SQL, as fuseRankings does: score = Σ weight / (60 + rank), divided by the best possible sum.
 */
export async function searchPostgres(
  pool: pg.Pool,
  owner: string,
  vectorStoreIds: readonly string[],
  input: PostgresSearchInput,
): Promise<PostgresSearchResult[]> {
  const limit = candidateCount(input.maxNumResults);
  const stores = [...vectorStoreIds];
  const isVectorOn = input.vectorWeight > 0 && input.queryVector.length > 0;
  const vectorIds: string[] = isVectorOn
    ? (
        await nearestChunks(
          pool,
          owner,
          stores,
          input.queryVector,
          input.queryModel,
          limit,
          input.exactScanLimit,
        )
      ).ids
    : [];
  const stats = input.bm25;
  const asked = input.keywordWeight > 0 ? keywordTerms(input.query, stats) : [];
  // An emphasised term listed once more is summed once more by the BM25 below (weightedTerms).
  const terms = weightedTerms(stats ? withinPostingsBudget(asked, stats) : asked, input.emphasis);
  // Every term matches, as in SQLite's MATCH, even one held by half the chunks or more (FTS5
  // floors its idf to 1e-6): the rows only it matches score next to nothing, so they rank below
  // every row with a rarer term, but they are ranked, and a rank counts in the fusion. Matching
  // the informative terms alone left them out of the keyword and title lists, so a document whose
  // every chunk's title says "package" lost the title list to another whose title said "file"
  // (own-files: "keep files out of my published npm package" ranked other passages of
  // package.json first). The postings budget above bounds the rows, as it does SQLite's.
  // The title list matches the same terms, in the title field only (`title : …` on SQLite).
  const tsquery = terms.map(quoteTerm).join(' | ');
  const titleWeight = input.keywordWeight * titleListWeight;
  const best = (input.keywordWeight + input.vectorWeight + titleWeight) / (rrfK + 1);
  if (best <= 0) return [];
  // ts_rank's weights are {D, C, B, A}: body, (unused), headings, title, in fieldWeights' ratios,
  // scaled so the largest is 1 (ts_rank takes weights in 0..1 only).
  const heaviest = Math.max(fieldWeights.title, fieldWeights.headings, fieldWeights.body);
  const rankWeights = `{${fieldWeights.body / heaviest}, 0, ${fieldWeights.headings / heaviest}, ${fieldWeights.title / heaviest}}`;
  const idfs = terms.map((term) => (stats ? bm25Idf(stats.documents, stats.frequency(term)) : 0));
  const titleIdfs = terms.map((term) => (stats ? bm25Idf(stats.documents, stats.titleFrequency(term)) : 0));
  // FTS5's bm25 (k1 1.2, b 0.75) with idf from the snapshot: a term's frequency is its count in
  // each field (term_frequencies, stored at ingestion) times the field's weight, as FTS5 sums its
  // column weights over a phrase's hits; the row's length is all of its indexed tokens plus one,
  // the store token SQLite indexes in every row (FTS5 counts it in the row's length and the mean).
  const bm25List = (
    fieldWeight: { title: number; headings: number; body: number },
    match: string,
    idf: 'idf' | 'title_idf',
  ) => `
       SELECT id, row_number() OVER (ORDER BY score DESC, file_id, ordinal) AS rank FROM (
         SELECT c.id, c.file_id, c.ordinal, (
           SELECT sum(t.${idf} * (f.f * 2.2) / (f.f + 1.2 * c.length_norm))
           FROM terms t CROSS JOIN LATERAL (
             SELECT ${fieldWeight.title} * (counts ->> 0)::float8 + ${fieldWeight.headings} * (counts ->> 1)::float8
               + ${fieldWeight.body} * (counts ->> 2)::float8 AS f
             FROM (SELECT c.frequencies -> t.lexeme AS counts) e WHERE counts IS NOT NULL OFFSET 0
           ) f
         ) AS score
         -- Each matching row's frequencies read (detoasted) once, not once per term, each term's
         -- frequency and each row's score computed once, not again in the filters (every OFFSET 0
         -- keeps the planner from folding a subquery back in: ~30% of the query's time).
         FROM (
           SELECT c.id, c.file_id, c.ordinal, c.term_frequencies || '{}'::jsonb AS frequencies,
             0.25 + 0.75 * (c.token_count + 1) / $18::float8 AS length_norm FROM kb_chunks c CROSS JOIN q
           WHERE c.owner = $1 AND c.vector_store_id = ANY($2) AND ${match} OFFSET 0
         ) c OFFSET 0
       ) scored WHERE score > 0 ORDER BY rank LIMIT $4`;
  const keywordList = stats
    ? bm25List(fieldWeights, 'c.terms @@ q.query', 'idf')
    : `SELECT c.id, row_number() OVER (ORDER BY ts_rank($12::float4[], c.terms, q.query, 1) DESC, c.file_id, c.ordinal) AS rank
       FROM kb_chunks c, q WHERE c.owner = $1 AND c.vector_store_id = ANY($2) AND c.terms @@ q.query
       ORDER BY rank LIMIT $4`;
  const titleList = stats
    ? bm25List({ title: 1, headings: 0, body: 0 }, 'c.title_terms @@ q.query', 'title_idf')
    : `SELECT c.id, row_number() OVER (ORDER BY ts_rank(c.title_terms, q.query, 1) DESC, c.file_id, c.ordinal) AS rank
       FROM kb_chunks c, q WHERE c.owner = $1 AND c.vector_store_id = ANY($2) AND c.title_terms @@ q.query
       ORDER BY rank LIMIT $4`;
  const result = await scopedDatabase(pool, () => ({ owner })).query<{
    id: string;
    score: number;
    keyword_rank: string | null;
    vector_rank: string | null;
    file_id: string;
    vector_store_id: string;
    text: string;
    file_name: string;
  }>(
    `WITH q AS (SELECT CASE WHEN $3 = '' THEN NULL ELSE to_tsquery('simple', $3) END AS query,
       $12::float4[] AS rank_weights),
     ${
       stats
         ? `terms AS MATERIALIZED (
       SELECT lexeme, idf, title_idf FROM unnest($16::text[], $17::float8[], $19::float8[]) AS t(lexeme, idf, title_idf)
     ),`
         : ''
     }

     keyword AS (${keywordList}),
     title AS (${titleList}),
     own_vector AS (SELECT id, rank FROM unnest($5::text[]) WITH ORDINALITY AS v(id, rank)),
     -- withPendingAtKeywordRank (rank-fusion.ts): keyword candidates with no vector in the
     -- query's model yet keep their keyword rank in the vector list, ties to the own vector.
     pending AS (
       SELECT k.id, k.rank FROM keyword k JOIN kb_chunks c ON c.id = k.id
       WHERE $13 AND (c.embedding IS NULL OR c.embedding_model <> $14 OR vector_dims(c.embedding) % $15 <> 0)
     ),
     vector AS (
       SELECT id, row_number() OVER (ORDER BY rank, is_pending, id) AS rank, is_pending FROM (
         SELECT id, rank, false AS is_pending FROM own_vector
         UNION ALL SELECT id, rank, true FROM pending
       ) merged
     ),
     lists AS (
       SELECT id, 'keyword' AS list, rank, $6::float8 AS weight, false AS is_pending FROM keyword
       UNION ALL SELECT id, 'vector', rank, $7::float8, is_pending FROM vector
       UNION ALL SELECT id, 'title', rank, $8::float8, false FROM title
     ),
     fused AS (
       SELECT id, sum(weight / (${rrfK} + rank)) AS raw,
         min(rank) FILTER (WHERE list = 'keyword') AS keyword_rank,
         min(rank) FILTER (WHERE list = 'vector' AND NOT is_pending) AS vector_rank,
         min(rank) FILTER (WHERE list = 'vector') AS vector_place,
         min(rank) FILTER (WHERE list = 'title') AS title_rank
       FROM lists WHERE weight > 0 GROUP BY id
     )
     SELECT f.id, (f.raw / $9)::float8 AS score, f.keyword_rank, f.vector_rank,
       c.file_id, c.vector_store_id, c.text, fl.file_name
     FROM fused f JOIN kb_chunks c ON c.id = f.id AND c.owner = $1 JOIN kb_files fl ON fl.id = c.file_id
     WHERE f.raw / $9 >= $10
     -- Ties as fuseRankings breaks them: the better keyword or vector place (a pending chunk's
     -- included), then the order its results were collected in (keyword list, vector, title).
     ORDER BY score DESC, LEAST(coalesce(f.keyword_rank, 1e9), coalesce(f.vector_place, 1e9)),
       f.keyword_rank NULLS LAST, f.vector_place NULLS LAST, f.title_rank NULLS LAST, c.file_id, c.ordinal
     LIMIT $11`,
    [
      owner,
      stores,
      tsquery,
      limit,
      vectorIds,
      input.keywordWeight,
      input.vectorWeight,
      titleWeight,
      best,
      input.scoreThreshold,
      input.maxNumResults,
      rankWeights,
      isVectorOn,
      input.queryModel,
      input.queryVector.length,
      ...(stats ? [terms, idfs, stats.averageLength + 1, titleIdfs] : []),
    ],
  );
  return result.rows.map((row) => ({
    chunkId: row.id,
    fileId: row.file_id,
    fileName: row.file_name,
    vectorStoreId: row.vector_store_id,
    text: row.text,
    score: row.score,
    keywordRank: row.keyword_rank === null ? null : Number(row.keyword_rank),
    vectorRank: row.vector_rank === null ? null : Number(row.vector_rank),
  }));
}

/**
 * The owner's chunks nearest the query in the given stores, best first. Stores holding up to
 * `exactScanLimit` vectors are scanned exactly; larger ones walk the model's HNSW index with
 * iterative scans (pgvector 0.8), and should the walk still come back short of what the stores
 * hold, the exact scan answers instead: the store filter never drops a result.
 */
export async function nearestChunks(
  pool: pg.Pool,
  owner: string,
  vectorStoreIds: readonly string[],
  queryVector: Float32Array,
  model: string,
  limit: number,
  exactLimit = exactScanLimit,
): Promise<{ ids: string[]; method: 'exact' | 'hnsw' | 'hnsw, then exact' }> {
  const dimensions = queryVector.length;
  const stores = [...vectorStoreIds];
  const database = scopedDatabase(pool, () => ({ owner }));
  const held = await database.query<{ count: string | null }>(
    `SELECT sum(chunk_count) AS count FROM kb_store_files
     WHERE owner = $1 AND vector_store_id = ANY($2) AND status = 'completed'`,
    [owner, stores],
  );
  const available = Number(held.rows[0]?.count ?? 0);
  if (available === 0) return { ids: [], method: 'exact' };
  const vector = `[${Array.from(queryVector).join(',')}]`;
  // Literals, not parameters, for the model and dimension: they must match the partial index's
  // predicate (see ensureVectorIndex) for the planner to use it.
  const inStores = `embedding_model = ${pg.escapeLiteral(model)} AND owner = $1 AND vector_store_id = ANY($2)`;
  const where = `${inStores} AND vector_dims(embedding) = ${dimensions}`;
  const distance = `(embedding::vector(${dimensions})) <=> $3::vector(${dimensions})`;
  // Chunks embedded in several windows (one vector each, end to end), outside the index: their
  // nearest window's distance, scanned exactly.
  const windowed = `${inStores} AND vector_dims(embedding) > ${dimensions} AND vector_dims(embedding) % ${dimensions} = 0`;
  const windowDistance = `kb_best_window_distance(embedding, $3::vector)`;
  const nearestWindowed = async (queryable: ScopedDatabase) =>
    (
      await queryable.query<Candidate>(
        `SELECT id, file_id, ordinal, ${windowDistance} AS distance FROM kb_chunks WHERE ${windowed}
         ORDER BY distance, file_id, ordinal LIMIT $4`,
        [owner, stores, vector, limit],
      )
    ).rows;
  const exact = async () => {
    const [single, several] = await Promise.all([
      database.query<Candidate>(
        // `+ 0` keeps the planner off the HNSW index: this is the exact answer.
        `SELECT id, file_id, ordinal, ${distance} AS distance FROM kb_chunks WHERE ${where}
         ORDER BY (${distance}) + 0, file_id, ordinal LIMIT $4`,
        [owner, stores, vector, limit],
      ),
      nearestWindowed(database),
    ]);
    return nearestFirst([...single.rows, ...several], limit);
  };
  if (available <= exactLimit || dimensions > hnswMaxDimensions)
    return { ids: await exact(), method: 'exact' };
  const ids = await inTransaction(
    pool,
    async (client) => {
      await client.query("SET LOCAL hnsw.iterative_scan = 'relaxed_order'");
      await client.query(`SET LOCAL hnsw.ef_search = ${Math.max(100, Math.min(1000, limit * 4))}`);
      // relaxed_order may return neighbours slightly out of order: re-sort the materialised set.
      const result = await client.query<Candidate>(
        `WITH candidates AS MATERIALIZED (
           SELECT id, file_id, ordinal, ${distance} AS distance FROM kb_chunks WHERE ${where} ORDER BY ${distance} LIMIT $4
         ) SELECT id, file_id, ordinal, distance FROM candidates ORDER BY distance, file_id, ordinal`,
        [owner, stores, vector, limit],
      );
      return nearestFirst([...result.rows, ...(await nearestWindowed(client))], limit);
    },
    { owner },
  );
  return ids.length >= Math.min(limit, available)
    ? { ids, method: 'hnsw' }
    : { ids: await exact(), method: 'hnsw, then exact' };
}

type Candidate = { id: string; file_id: string; ordinal: number; distance: number };

/**
 * The `limit` nearest of candidates from several scans, by distance, then by file and place in
 * it (as each scan orders), as SQLite's vector scan breaks ties: the chunks of one document
 * often tie exactly (each carries the document's summary vector, nearest for a question about
 * the document as a whole), and SQLite keeps them in the order it holds them, a file's chunks
 * in document order, so its opening chunk leads. By the random chunk id, PostgreSQL answered
 * "What is Threadline?" from the README's test section.
 */
function nearestFirst(candidates: readonly Candidate[], limit: number): string[] {
  return (
    candidates
      // Only chunks the query points towards (cosine above 0), as VectorCache.nearest keeps them:
      // a chunk about something else must not take a vector rank in a small store.
      .filter((candidate) => Number(candidate.distance) < 1)
      .sort(
        (left, right) =>
          Number(left.distance) - Number(right.distance) ||
          (left.file_id < right.file_id ? -1 : left.file_id > right.file_id ? 1 : 0) ||
          left.ordinal - right.ordinal,
      )
      .slice(0, limit)
      .map((candidate) => candidate.id)
  );
}

/** pgvector indexes `vector` columns of up to this many dimensions with HNSW. */
export const hnswMaxDimensions = 2000;

/**
 * The query's terms, and the phrases of it the documents write as one word ("check out" →
 * `checkout`) where the statistics say a chunk holds them, as keywordRankings asks SQLite.
 */
export function keywordTerms(query: string, stats: Bm25Statistics | undefined): string[] {
  return keywordQueryTerms(query, (term) => (stats?.frequency(term) ?? 0) > 0);
}

/** A term as one tsquery lexeme. */
const quoteTerm = (term: string) => `'${term.replaceAll("'", "''").replaceAll('\\', '')}'`;

/** FTS5's idf: log((N - n + 0.5) / (n + 0.5)), and a tiny positive value where that is not. */
export function bm25Idf(documents: number, found: number): number {
  const idf = Math.log((documents - found + 0.5) / (found + 0.5));
  return idf > 0 ? idf : minimumIdf;
}
const minimumIdf = 1e-6;

/**
 * The query's terms, rarest first, until their chunks would pass `postingsBudget` (at least one
 * kept), as pruneCommonTerms does for SQLite: a query of everyday words must not score most of
 * 100,000 chunks. A term the statistics have not seen yet costs nothing and is kept.
 */
export function withinPostingsBudget(terms: readonly string[], stats: Bm25Statistics): string[] {
  if (terms.length <= 1) return [...terms];
  const counted = terms
    .map((term) => ({ term, documents: stats.frequency(term) }))
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
