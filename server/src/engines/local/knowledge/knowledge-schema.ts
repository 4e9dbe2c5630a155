import { migrate, type SqliteDatabase } from '../../../sqlite/index.js';

/**
 * The knowledge base's tables. Stored files (the Files API) are independent of vector stores;
 * a file attached to a store is chunked with that store's strategy, so chunks belong to the
 * (store, file) pair. `kb_chunks_fts` holds analysed text (identifier parts added) (light stemming
 * included, see search-terms.ts); its rowid is the chunk's rowid.
 */
const migrations = [
  `CREATE TABLE kb_files (
     id TEXT PRIMARY KEY,
     file_name TEXT NOT NULL,
     bytes INTEGER NOT NULL,
     purpose TEXT NOT NULL,
     content_type TEXT,
     created_at TEXT NOT NULL
   );
   CREATE TABLE kb_vector_stores (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     chunk_size INTEGER NOT NULL,
     chunk_overlap INTEGER NOT NULL,
     metadata TEXT NOT NULL DEFAULT '{}',
     created_at TEXT NOT NULL
   );
   CREATE TABLE kb_store_files (
     vector_store_id TEXT NOT NULL REFERENCES kb_vector_stores(id) ON DELETE CASCADE,
     file_id TEXT NOT NULL REFERENCES kb_files(id) ON DELETE CASCADE,
     status TEXT NOT NULL,
     error_code TEXT,
     error_message TEXT,
     chunk_count INTEGER NOT NULL DEFAULT 0,
     usage_bytes INTEGER NOT NULL DEFAULT 0,
     created_at TEXT NOT NULL,
     PRIMARY KEY (vector_store_id, file_id)
   );
   CREATE INDEX kb_store_files_file ON kb_store_files(file_id);
   CREATE TABLE kb_chunks (
     rowid INTEGER PRIMARY KEY,
     id TEXT NOT NULL UNIQUE,
     vector_store_id TEXT NOT NULL,
     file_id TEXT NOT NULL,
     ordinal INTEGER NOT NULL,
     text TEXT NOT NULL,
     embedding BLOB NOT NULL,
     embedding_model TEXT NOT NULL
   );
   CREATE INDEX kb_chunks_store_file ON kb_chunks(vector_store_id, file_id);
   CREATE VIRTUAL TABLE kb_chunks_fts USING fts5(
     vector_store_id UNINDEXED, title, headings, body,
     tokenize = 'unicode61 remove_diacritics 2'
   );`,
  // /v1 extras: per-file chunking and attributes (OpenAI allows both per attach), store expiry
  // settings, and file batches (the SDK's uploadAndPoll).
  `ALTER TABLE kb_store_files ADD COLUMN chunk_size INTEGER;
   ALTER TABLE kb_store_files ADD COLUMN chunk_overlap INTEGER;
   ALTER TABLE kb_store_files ADD COLUMN attributes TEXT NOT NULL DEFAULT '{}';
   ALTER TABLE kb_vector_stores ADD COLUMN expires_after TEXT;
   ALTER TABLE kb_vector_stores ADD COLUMN last_active_at TEXT;
   CREATE TABLE kb_file_batches (
     id TEXT PRIMARY KEY,
     vector_store_id TEXT NOT NULL REFERENCES kb_vector_stores(id) ON DELETE CASCADE,
     file_ids TEXT NOT NULL,
     created_at TEXT NOT NULL
   );`,
  // The index becomes contentless (it held a second copy of every chunk, and reading its
  // store column meant loading that copy per match) with the store as an indexed token, plus a
  // vocabulary view for term document frequencies. Chunks are rebuilt by re-ingesting.
  `DROP TABLE kb_chunks_fts;
   CREATE VIRTUAL TABLE kb_chunks_fts USING fts5(
     store, title, headings, body,
     content = '', contentless_delete = 1,
     tokenize = 'unicode61 remove_diacritics 2'
   );
   CREATE VIRTUAL TABLE kb_chunks_vocab USING fts5vocab(kb_chunks_fts, 'row');
   DELETE FROM kb_chunks;
   UPDATE kb_store_files SET status = 'in_progress', chunk_count = 0 WHERE status = 'completed';`,
  // How many times ingestion of the pair has started: a file whose ingestion keeps being
  // interrupted (the process stopped mid-way) is marked failed instead of retried for ever.
  `ALTER TABLE kb_store_files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;`,
  // Same bytes, same work: a completed pair records what its chunks were made from (file bytes,
  // chunking, model, name: see content-key.ts), and its chunks keep the analysed title and
  // section path the contentless index cannot give back, so another pair with the same key is
  // filled by copying rows instead of parsing and embedding again.
  `ALTER TABLE kb_store_files ADD COLUMN content_key TEXT;
   CREATE INDEX kb_store_files_content ON kb_store_files(content_key);
   ALTER TABLE kb_chunks ADD COLUMN index_title TEXT;
   ALTER TABLE kb_chunks ADD COLUMN index_headings TEXT;`,
  // The meaning-index counts (which chunks have vectors) read from this index alone: the
  // model's column sits after the vectors' BLOB in each row, so counting from the table walked
  // every vector's overflow pages — ~0.1 s of the event loop per store summary at the Git
  // docs' size, on every answer turn and every progress poll.
  `CREATE INDEX kb_chunks_store_file_model ON kb_chunks(vector_store_id, file_id, embedding_model);`,
];

export function migrateKnowledgeBase(database: SqliteDatabase): void {
  migrate(database, 'kb', migrations);
}
