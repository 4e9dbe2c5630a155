import Database from 'better-sqlite3';
import { stopWords } from '../../server/src/engines/local/knowledge/search/search-terms.js';

/**
 * The baseline every retrieval change must beat: plain FTS5 BM25 (default unicode61 tokenizer,
 * no stemming, no field weights) over the very same chunks, the query's words ORed minus
 * the same stop words Threadline drops (without that, BM25 here is far weaker).
 */
export class Bm25Baseline {
  private readonly database = new Database(':memory:');

  constructor(chunks: readonly { fileName: string; text: string }[]) {
    this.database.exec('CREATE VIRTUAL TABLE chunks USING fts5(file_name UNINDEXED, body)');
    const insert = this.database.prepare('INSERT INTO chunks (file_name, body) VALUES (?, ?)');
    this.database.transaction(() => {
      for (const chunk of chunks) insert.run(chunk.fileName, chunk.text);
    })();
  }

  search(query: string, limit: number): { fileName: string; text: string }[] {
    const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !stopWords.has(word));
    if (words.length === 0) return [];
    const expression = [...new Set(words)].map((word) => `"${word}"`).join(' OR ');
    return this.database
      .prepare<[string, number], { file_name: string; body: string }>(
        'SELECT file_name, body FROM chunks WHERE chunks MATCH ? ORDER BY bm25(chunks) LIMIT ?',
      )
      .all(expression, limit)
      .map((row) => ({ fileName: row.file_name, text: row.body }));
  }

  close(): void {
    this.database.close();
  }
}
