import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type pg from 'pg';
import { inTransaction, scopedDatabase, type RowScope } from '../../../postgres/index.js';
import type { SqliteDatabase } from '../../../sqlite/index.js';
import { analyseForIndex } from './ingest/prepare-chunks.js';
import { PostgresKnowledge, windowDimensions } from './postgres-knowledge.js';
import { engineOwner } from './postgres-knowledge-records.js';

export type KnowledgeCopyReport = { table: string; inSource: number; copied: number; alreadyThere: number }[];

const batchSize = 500;

/**
 * Copies the embedded knowledge base into PostgreSQL: files with their bytes (read from
 * `dataDir/files`), vector stores, store files, file batches and chunks with their vectors as
 * they are (no re-embedding; each model's HNSW index is built once at the end). The analysed body
 * of a chunk is analysed again from its text (SQLite's index is contentless), as copyChunks does.
 * A file still `in_progress` is queued for ingestion on PostgreSQL. Idempotent: rows already
 * there (same key) are left as they are. With `isDryRun`, counts and writes nothing but the schema.
 */
export async function copyKnowledge(
  source: SqliteDatabase,
  dataDir: string,
  pool: pg.Pool,
  options: { isDryRun: boolean },
): Promise<KnowledgeCopyReport> {
  const hasKnowledge = source
    .prepare<[], { name: string }>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'kb_chunks'",
    )
    .get();
  const knowledge = await PostgresKnowledge.open(pool);
  if (!hasKnowledge) return [];
  const report: KnowledgeCopyReport = [];
  // The copies are owned by no user yet (engineOwner): the app gives each its owner from its
  // ownership records when it next starts. A row already given one is not seen here again, but
  // every insert leaves an existing key alone (ON CONFLICT DO NOTHING).
  const unowned: RowScope = { worker: 'adopt-owners' };
  const copy = async (
    table: string,
    rows: Record<string, unknown>[],
    key: (row: Record<string, unknown>) => string,
    existingKeys: string,
    insert: (client: pg.PoolClient, batch: Record<string, unknown>[]) => Promise<void>,
  ) => {
    const existing = new Set(
      (await scopedDatabase(pool, () => unowned).query<{ key: string }>(existingKeys)).rows.map(
        (row) => row.key,
      ),
    );
    const missing = rows.filter((row) => !existing.has(key(row)));
    if (!options.isDryRun && missing.length > 0)
      await inTransaction(
        pool,
        async (client) => {
          for (let start = 0; start < missing.length; start += batchSize)
            await insert(client, missing.slice(start, start + batchSize));
        },
        unowned,
      );
    report.push({
      table,
      inSource: rows.length,
      copied: missing.length,
      alreadyThere: rows.length - missing.length,
    });
  };
  const all = (sql: string) => source.prepare<[], Record<string, unknown>>(sql).all();
  const column = <T>(
    batch: Record<string, unknown>[],
    name: string,
    map: (value: unknown) => T = (value) => value as T,
  ) => batch.map((row) => map(row[name] ?? null));
  const text = (value: unknown) =>
    typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;

  await copy(
    'kb_files',
    all(
      'SELECT id, file_name, bytes, purpose, content_type, created_at FROM kb_files ORDER BY created_at, rowid',
    ),
    (row) => String(row.id),
    'SELECT id AS key FROM kb_files',
    async (client, batch) => {
      await client.query(
        `INSERT INTO kb_files (id, owner, file_name, bytes, purpose, content_type, created_at)
         SELECT id, $1, file_name, bytes, purpose, content_type, created_at::timestamptz
         FROM unnest($2::text[], $3::text[], $4::bigint[], $5::text[], $6::text[], $7::text[])
           AS f(id, file_name, bytes, purpose, content_type, created_at)
         ON CONFLICT (id) DO NOTHING`,
        [
          engineOwner,
          column(batch, 'id', text),
          column(batch, 'file_name', text),
          column(batch, 'bytes', Number),
          column(batch, 'purpose', text),
          column(batch, 'content_type', text),
          column(batch, 'created_at', text),
        ],
      );
      for (const row of batch) {
        const bytes = readBytes(dataDir, String(row.id));
        if (bytes)
          await client.query(
            'INSERT INTO kb_file_contents (file_id, owner, content) VALUES ($1, $2, $3) ON CONFLICT (file_id) DO NOTHING',
            [row.id, engineOwner, bytes],
          );
      }
    },
  );
  await copy(
    'kb_vector_stores',
    all(
      'SELECT id, name, chunk_size, chunk_overlap, metadata, expires_after, last_active_at, created_at FROM kb_vector_stores ORDER BY created_at, rowid',
    ),
    (row) => String(row.id),
    'SELECT id AS key FROM kb_vector_stores',
    (client, batch) =>
      client
        .query(
          `INSERT INTO kb_vector_stores (id, owner, name, chunk_size, chunk_overlap, metadata, expires_after, last_active_at, created_at)
           SELECT id, $1, name, chunk_size, chunk_overlap, metadata::jsonb, expires_after::jsonb,
             last_active_at::timestamptz, created_at::timestamptz
           FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[])
             AS s(id, name, chunk_size, chunk_overlap, metadata, expires_after, last_active_at, created_at)
           ON CONFLICT (id) DO NOTHING`,
          [
            engineOwner,
            column(batch, 'id', text),
            column(batch, 'name', text),
            column(batch, 'chunk_size', Number),
            column(batch, 'chunk_overlap', Number),
            column(batch, 'metadata', text),
            column(batch, 'expires_after', text),
            column(batch, 'last_active_at', text),
            column(batch, 'created_at', text),
          ],
        )
        .then(() => {}),
  );
  await copy(
    'kb_store_files',
    all(
      `SELECT vector_store_id, file_id, status, error_code, error_message, chunk_count, usage_bytes, chunk_size,
         chunk_overlap, attributes, attempts, created_at FROM kb_store_files ORDER BY created_at`,
    ),
    (row) => `${String(row.vector_store_id)}\n${String(row.file_id)}`,
    "SELECT vector_store_id || E'\\n' || file_id AS key FROM kb_store_files",
    async (client, batch) => {
      await client.query(
        `INSERT INTO kb_store_files (vector_store_id, file_id, owner, status, error_code, error_message, chunk_count,
           usage_bytes, chunk_size, chunk_overlap, attributes, attempts, created_at)
         SELECT vector_store_id, file_id, $1, status, error_code, error_message, chunk_count, usage_bytes, chunk_size,
           chunk_overlap, attributes::jsonb, 0, created_at::timestamptz
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::int[],
           $10::int[], $11::text[], $12::text[])
           AS sf(vector_store_id, file_id, status, error_code, error_message, chunk_count, usage_bytes, chunk_size,
             chunk_overlap, attributes, created_at)
         ON CONFLICT (vector_store_id, file_id) DO NOTHING`,
        [
          engineOwner,
          column(batch, 'vector_store_id', text),
          column(batch, 'file_id', text),
          column(batch, 'status', text),
          column(batch, 'error_code', text),
          column(batch, 'error_message', text),
          column(batch, 'chunk_count', Number),
          column(batch, 'usage_bytes', Number),
          column(batch, 'chunk_size', (value) => (value === null ? null : Number(value))),
          column(batch, 'chunk_overlap', (value) => (value === null ? null : Number(value))),
          column(batch, 'attributes', text),
          column(batch, 'created_at', text),
        ],
      );
      // Unfinished here: ingested there, by whichever instance takes the job.
      await client.query(
        `INSERT INTO kb_ingestion_jobs (vector_store_id, file_id, owner, content)
         SELECT sf.vector_store_id, sf.file_id, sf.owner, c.content FROM kb_store_files sf
         JOIN kb_file_contents c ON c.file_id = sf.file_id
         WHERE sf.status = 'in_progress' AND sf.vector_store_id || E'\\n' || sf.file_id = ANY($1::text[])
         ON CONFLICT (vector_store_id, file_id) DO NOTHING`,
        [batch.map((row) => `${String(row.vector_store_id)}\n${String(row.file_id)}`)],
      );
    },
  );
  await copy(
    'kb_file_batches',
    all('SELECT id, vector_store_id, file_ids, created_at FROM kb_file_batches ORDER BY created_at'),
    (row) => String(row.id),
    'SELECT id AS key FROM kb_file_batches',
    (client, batch) =>
      client
        .query(
          `INSERT INTO kb_file_batches (id, vector_store_id, owner, file_ids, created_at)
           SELECT id, vector_store_id, $1, file_ids::jsonb, created_at::timestamptz
           FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS b(id, vector_store_id, file_ids, created_at)
           ON CONFLICT (id) DO NOTHING`,
          [
            engineOwner,
            column(batch, 'id', text),
            column(batch, 'vector_store_id', text),
            column(batch, 'file_ids', text),
            column(batch, 'created_at', text),
          ],
        )
        .then(() => {}),
  );
  // Only the chunks of a pair that is there (SQLite keeps none without one, but a copy may
  // have been cut short); vectors whole, as bytes of float32.
  const chunks = all(
    `SELECT c.id, c.vector_store_id, c.file_id, c.ordinal, c.text, c.embedding, c.embedding_model,
       c.index_title, c.index_headings FROM kb_chunks c
     JOIN kb_store_files sf ON sf.vector_store_id = c.vector_store_id AND sf.file_id = c.file_id ORDER BY c.rowid`,
  );
  const models = new Map<string, number>();
  await copy(
    'kb_chunks',
    chunks,
    (row) => String(row.id),
    'SELECT id AS key FROM kb_chunks',
    (client, batch) =>
      client
        .query(
          `INSERT INTO kb_chunks (id, owner, vector_store_id, file_id, ordinal, text, index_title, index_headings, index_body,
           embedding, embedding_model)
         SELECT id, $1, vector_store_id, file_id, ordinal, text, index_title, index_headings, index_body,
           CASE WHEN embedding = '' THEN NULL ELSE embedding::vector END, embedding_model
         FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[],
           $10::text[], $11::text[])
           AS c(id, vector_store_id, file_id, ordinal, text, index_title, index_headings, index_body, embedding, embedding_model)
         ON CONFLICT (id) DO NOTHING`,
          [
            engineOwner,
            column(batch, 'id', text),
            column(batch, 'vector_store_id', text),
            column(batch, 'file_id', text),
            column(batch, 'ordinal', Number),
            column(batch, 'text', text),
            column(batch, 'index_title', (value) => (typeof value === 'string' ? value : '')),
            column(batch, 'index_headings', (value) => (typeof value === 'string' ? value : '')),
            batch.map((row) => analyseForIndex(String(row.text))),
            batch.map((row) => {
              const vector = toVector(row.embedding);
              if (vector.length > 0) {
                const model = String(row.embedding_model);
                models.set(model, windowDimensions([models.get(model) ?? 0, vector.length]));
              }
              return vector.length > 0 ? `[${Array.from(vector).join(',')}]` : '';
            }),
            column(batch, 'embedding_model', text),
          ],
        )
        .then(() => {}),
  );
  if (!options.isDryRun)
    for (const [model, dimensions] of models) await knowledge.ensureVectorIndex(model, dimensions);
  return report;
}

function readBytes(dataDir: string, fileId: string): Buffer | null {
  try {
    return readFileSync(join(dataDir, 'files', fileId));
  } catch {
    return null;
  }
}

function toVector(value: unknown): Float32Array {
  if (!Buffer.isBuffer(value) || value.length < 4) return new Float32Array(0);
  const copy = new Uint8Array(value.length - (value.length % 4));
  copy.set(value.subarray(0, copy.length));
  return new Float32Array(copy.buffer);
}
