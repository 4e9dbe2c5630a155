import pg from 'pg';
import { scopedDatabase } from '../../../../postgres/index.js';
import type { Bm25Statistics } from './postgres-search.js';
import { knownTerms, termWeights, type TermStatistics } from './term-statistics.js';

export type PostgresTermStatistics = TermStatistics & {
  /** Reloads the vocabulary when chunks were added or removed since it was read (any instance). */
  refresh(): Promise<void>;
  /** Reads the vocabulary of these files (what `inFile` answers from), once per file and version. */
  loadFiles(fileIds: readonly string[]): Promise<void>;
  /** What BM25 needs of the snapshot (searchPostgres ranks keywords with it). */
  readonly bm25: Bm25Statistics;
};

/**
 * TermStatistics over the shared PostgreSQL chunks. The answerer asks synchronously, so this
 * answers from a snapshot: the whole vocabulary with each term's chunk count (`ts_stat` over the
 * indexed fields, as SQLite's fts5vocab counts rows), reloaded before a search once any instance
 * changed the chunks, and the vocabularies of the files a search returned (the only files
 * `inFile` is asked about). Same rules as createTermStatistics: unknown terms get the highest idf,
 * derived forms and negated prefixes count as known.
 */
export function createPostgresTermStatistics(pool: pg.Pool): PostgresTermStatistics {
  // Counts over every user's chunks (the corpus-statistics view: numbers, never a row's text), as
  // SQLite's FTS5 counts over the whole file; a file's own terms are read acting for the user.
  const corpus = scopedDatabase(pool, () => ({ worker: 'corpus-statistics' }));
  const acting = scopedDatabase(pool);
  let version = '';
  let documents = 0;
  let averageLength = 0;
  let frequency = new Map<string, number>();
  let titleFrequency = new Map<string, number>();
  let sorted: string[] = [];
  const fileTerms = new Map<string, { version: string; terms: string[] }>();

  const chunksOf = (term: string) => frequency.get(term) ?? 0;
  const hasPrefix = (prefix: string, words: readonly string[]) => {
    let low = 0;
    let high = words.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((words[middle] ?? '') < prefix) low = middle + 1;
      else high = middle;
    }
    return (words[low] ?? '').startsWith(prefix);
  };
  const hasDerived = (term: string) =>
    term.length >= 5 && hasPrefix(term.slice(0, Math.max(5, term.length - 1)), sorted);
  const isKnown = knownTerms(chunksOf, hasDerived);
  const currentVersion = async () => {
    const result = await corpus.query<{ version: string }>(
      `SELECT count(*) || ':' || coalesce(sum(chunk_count), 0) || ':' || coalesce(max(seq), 0) AS version
       FROM kb_store_files WHERE status = 'completed'`,
    );
    return result.rows[0]?.version ?? '';
  };

  return {
    async refresh() {
      const latest = await currentVersion();
      if (latest === version) return;
      const [words, titleWords, count] = await Promise.all([
        corpus.query<{ word: string; ndoc: number }>(
          "SELECT word, ndoc FROM ts_stat('SELECT terms FROM kb_chunks')",
        ),
        corpus.query<{ word: string; ndoc: number }>(
          "SELECT word, ndoc FROM ts_stat('SELECT title_terms FROM kb_chunks')",
        ),
        corpus.query<{ count: string; average: number | null }>(
          'SELECT count(*) AS count, avg(token_count)::float8 AS average FROM kb_chunks',
        ),
      ]);
      averageLength = count.rows[0]?.average ?? 0;
      frequency = new Map(words.rows.map((row) => [row.word, row.ndoc]));
      titleFrequency = new Map(titleWords.rows.map((row) => [row.word, row.ndoc]));
      sorted = [...frequency.keys()].sort();
      documents = Number(count.rows[0]?.count ?? 0);
      version = latest;
    },
    bm25: {
      get documents() {
        return documents;
      },
      get averageLength() {
        return averageLength;
      },
      frequency: (term) => chunksOf(term),
      titleFrequency: (term) => titleFrequency.get(term) ?? 0,
    },
    async loadFiles(fileIds) {
      for (const fileId of new Set(fileIds)) {
        if (fileTerms.get(fileId)?.version === version) continue;
        const query = `SELECT terms FROM kb_chunks WHERE file_id = ${pg.escapeLiteral(fileId)}`;
        const result = await acting.query<{ word: string }>('SELECT word FROM ts_stat($1)', [query]);
        fileTerms.set(fileId, { version, terms: result.rows.map((row) => row.word).sort() });
      }
    },
    weights(terms) {
      return termWeights(terms, documents, chunksOf, isKnown);
    },
    inFile(fileId, terms) {
      const known = fileTerms.get(fileId)?.terms;
      // A file this instance has not read counts as naming the term: the answer is not refused
      // on a guess (it is read with every search hit, so this is a file no search returned).
      if (!known) return new Set(terms);
      return new Set(terms.filter((term) => hasPrefix(term, known)));
    },
  };
}
