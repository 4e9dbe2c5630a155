import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';
import { localUserId } from '../../../common/index.js';
import {
  inTransaction,
  migratePostgres,
  scopedDatabase,
  type ScopedDatabase,
} from '../../../postgres/index.js';
import type { PreparedChunk } from './ingest/prepare-chunks.js';
import { postgresKnowledgeMigrations } from './postgres-knowledge-schema.js';
import {
  hnswMaxDimensions,
  searchPostgres,
  type PostgresSearchInput,
  type PostgresSearchResult,
} from './search/postgres-search.js';

export type PostgresStore = { id: string; name: string; chunkSize: number; chunkOverlap: number };
export type PostgresFileStatus = {
  status: 'in_progress' | 'completed' | 'failed';
  chunkCount: number;
  errorMessage: string | null;
};
/** A claimed ingestion job: everything an instance needs to parse, chunk and embed the file. */
export type IngestionJob = {
  vectorStoreId: string;
  fileId: string;
  owner: string;
  fileName: string;
  content: Buffer;
  chunkSize: number;
  chunkOverlap: number;
  claimedBy: string;
};

const newKnowledgeId = (prefix: 'vs' | 'file') => `${prefix}_${randomBytes(12).toString('hex')}`;

/**
 * Files, vector stores, chunks and vectors in the shared PostgreSQL database, every query
 * scoped to an owner; ingestion as shared work (a queue any instance claims from); hybrid search
 * in SQL (search/postgres-search.ts).
 */
export class PostgresKnowledge {
  private readonly vectorIndexes = new Set<string>();

  private constructor(private readonly pool: pg.Pool) {}

  static async open(pool: pg.Pool): Promise<PostgresKnowledge> {
    await migratePostgres(pool, 'kb', postgresKnowledgeMigrations);
    return new PostgresKnowledge(pool);
  }

  /** Queries acting for `owner`: row-level security shows them that user's rows only. */
  private as(owner: string): ScopedDatabase {
    return scopedDatabase(this.pool, () => ({ owner }));
  }

  async createStore(
    owner: string,
    input: { name: string; chunkSize?: number; chunkOverlap?: number },
  ): Promise<PostgresStore> {
    const store = {
      id: newKnowledgeId('vs'),
      name: input.name,
      chunkSize: input.chunkSize ?? 800,
      chunkOverlap: input.chunkOverlap ?? 400,
    };
    await this.as(owner).query(
      'INSERT INTO kb_vector_stores (id, owner, name, chunk_size, chunk_overlap) VALUES ($1, $2, $3, $4, $5)',
      [store.id, owner, store.name, store.chunkSize, store.chunkOverlap],
    );
    return store;
  }

  /** The owner's store; `null` for a store that does not exist or is someone else's (a 404 either way). */
  async getStore(owner: string, vectorStoreId: string): Promise<PostgresStore | null> {
    const result = await this.as(owner).query<{
      id: string;
      name: string;
      chunk_size: number;
      chunk_overlap: number;
    }>('SELECT id, name, chunk_size, chunk_overlap FROM kb_vector_stores WHERE id = $1 AND owner = $2', [
      vectorStoreId,
      owner,
    ]);
    const row = result.rows[0];
    return row
      ? { id: row.id, name: row.name, chunkSize: row.chunk_size, chunkOverlap: row.chunk_overlap }
      : null;
  }

  async deleteStore(owner: string, vectorStoreId: string): Promise<boolean> {
    const result = await this.as(owner).query('DELETE FROM kb_vector_stores WHERE id = $1 AND owner = $2', [
      vectorStoreId,
      owner,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  /**
   * Stores the file, attaches it to the owner's store as `in_progress` and queues its ingestion,
   * in one transaction; `null` when the store is not the owner's.
   */
  async addFile(
    owner: string,
    vectorStoreId: string,
    file: { fileName: string; bytes: Buffer },
  ): Promise<{ fileId: string } | null> {
    return inTransaction(
      this.pool,
      async (client) => {
        const store = await client.query(
          'SELECT 1 FROM kb_vector_stores WHERE id = $1 AND owner = $2 FOR SHARE',
          [vectorStoreId, owner],
        );
        if (store.rowCount === 0) return null;
        const fileId = newKnowledgeId('file');
        await client.query('INSERT INTO kb_files (id, owner, file_name, bytes) VALUES ($1, $2, $3, $4)', [
          fileId,
          owner,
          file.fileName,
          file.bytes.length,
        ]);
        await client.query(
          "INSERT INTO kb_store_files (vector_store_id, file_id, owner, status) VALUES ($1, $2, $3, 'in_progress')",
          [vectorStoreId, fileId, owner],
        );
        await client.query(
          'INSERT INTO kb_ingestion_jobs (vector_store_id, file_id, owner, content) VALUES ($1, $2, $3, $4)',
          [vectorStoreId, fileId, owner, file.bytes],
        );
        return { fileId };
      },
      { owner },
    );
  }

  async fileStatus(owner: string, vectorStoreId: string, fileId: string): Promise<PostgresFileStatus | null> {
    const result = await this.as(owner).query<{
      status: PostgresFileStatus['status'];
      chunk_count: number;
      error_message: string | null;
    }>(
      'SELECT status, chunk_count, error_message FROM kb_store_files WHERE vector_store_id = $1 AND file_id = $2 AND owner = $3',
      [vectorStoreId, fileId, owner],
    );
    const row = result.rows[0];
    return row ? { status: row.status, chunkCount: row.chunk_count, errorMessage: row.error_message } : null;
  }

  /**
   * Takes the oldest job nobody holds (or whose holder's lease ran out: that instance died) for
   * `leaseMs`. SKIP LOCKED lets every instance claim at once without waiting on each other.
   */
  async claimJob(workerId: string, leaseMs: number): Promise<IngestionJob | null> {
    // The queue is the one view across owners (the ingestion-queue scope); all else about the job
    // is read and written acting for its owner.
    const claimed = await inTransaction(
      this.pool,
      (client) =>
        client.query<{ vector_store_id: string; file_id: string; owner: string }>(
          `WITH next AS (
             SELECT vector_store_id, file_id FROM kb_ingestion_jobs
             WHERE claimed_by IS NULL OR lease_until < clock_timestamp()
             ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
           )
           UPDATE kb_ingestion_jobs j SET claimed_by = $1,
             lease_until = clock_timestamp() + make_interval(secs => $2::double precision / 1000)
           FROM next WHERE j.vector_store_id = next.vector_store_id AND j.file_id = next.file_id
           RETURNING j.vector_store_id, j.file_id, j.owner`,
          [workerId, leaseMs],
        ),
      { worker: 'ingestion-queue' },
    );
    const job = claimed.rows[0];
    if (!job) return null;
    const result = await inTransaction(
      this.pool,
      async (client) => {
        await client.query(
          'UPDATE kb_store_files SET attempts = attempts + 1 WHERE vector_store_id = $1 AND file_id = $2',
          [job.vector_store_id, job.file_id],
        );
        return client.query<{
          content: Buffer;
          file_name: string;
          chunk_size: number;
          chunk_overlap: number;
        }>(
          `SELECT j.content, f.file_name, s.chunk_size, s.chunk_overlap FROM kb_ingestion_jobs j
           JOIN kb_files f ON f.id = j.file_id JOIN kb_vector_stores s ON s.id = j.vector_store_id
           WHERE j.vector_store_id = $1 AND j.file_id = $2`,
          [job.vector_store_id, job.file_id],
        );
      },
      { owner: job.owner },
    );
    const row = result.rows[0];
    if (!row) return null;
    return {
      vectorStoreId: job.vector_store_id,
      fileId: job.file_id,
      owner: job.owner,
      fileName: row.file_name,
      content: row.content,
      chunkSize: row.chunk_size,
      chunkOverlap: row.chunk_overlap,
      claimedBy: workerId,
    };
  }

  /**
   * Chunks, vectors and the file's `completed` status in one transaction, and the job gone with
   * them: another instance sees the file completed and searchable at the same moment, or neither.
   * `false` when the job is no longer this worker's (its lease ran out and another took it).
   */
  async completeJob(
    job: IngestionJob,
    chunks: readonly PreparedChunk[],
    embeddings: readonly Float32Array[],
    model: string,
  ): Promise<boolean> {
    const dimensions = windowDimensions(embeddings.map((embedding) => embedding.length));
    if (dimensions > 0) await this.ensureVectorIndex(model, dimensions);
    return inTransaction(
      this.pool,
      async (client) => {
        const held = await client.query(
          'SELECT 1 FROM kb_ingestion_jobs WHERE vector_store_id = $1 AND file_id = $2 AND claimed_by = $3 FOR UPDATE',
          [job.vectorStoreId, job.fileId, job.claimedBy],
        );
        if (held.rowCount === 0) return false;
        await client.query('DELETE FROM kb_chunks WHERE vector_store_id = $1 AND file_id = $2', [
          job.vectorStoreId,
          job.fileId,
        ]);
        if (chunks.length > 0) {
          await client.query(
            `INSERT INTO kb_chunks (id, owner, vector_store_id, file_id, ordinal, text, index_title, index_headings, index_body, embedding, embedding_model)
           SELECT 'chunk_' || md5(random()::text || clock_timestamp()::text || ordinal), $1, $2, $3, ordinal - 1, text, title, headings, body,
             CASE WHEN embedding = '' THEN NULL ELSE embedding::vector END, $4
           FROM unnest($5::text[], $6::text[], $7::text[], $8::text[], $9::text[]) WITH ORDINALITY
             AS chunk(text, title, headings, body, embedding, ordinal)`,
            [
              job.owner,
              job.vectorStoreId,
              job.fileId,
              model,
              chunks.map((chunk) => chunk.text),
              chunks.map((chunk) => chunk.index.title),
              chunks.map((chunk) => chunk.index.headings),
              chunks.map((chunk) => chunk.index.body),
              chunks.map((_, index) => vectorLiteral(embeddings[index])),
            ],
          );
        }
        await client.query(
          `UPDATE kb_store_files SET status = 'completed', chunk_count = $3, error_code = NULL, error_message = NULL,
           usage_bytes = (SELECT bytes FROM kb_files WHERE id = $2)
         WHERE vector_store_id = $1 AND file_id = $2`,
          [job.vectorStoreId, job.fileId, chunks.length],
        );
        await client.query('DELETE FROM kb_ingestion_jobs WHERE vector_store_id = $1 AND file_id = $2', [
          job.vectorStoreId,
          job.fileId,
        ]);
        return true;
      },
      { owner: job.owner },
    );
  }

  /** This worker still holds the job: its lease runs `leaseMs` from now. False once it is not its. */
  async renewJob(job: IngestionJob, leaseMs: number): Promise<boolean> {
    const result = await this.as(job.owner).query(
      `UPDATE kb_ingestion_jobs SET lease_until = clock_timestamp() + make_interval(secs => $4::double precision / 1000)
       WHERE vector_store_id = $1 AND file_id = $2 AND claimed_by = $3`,
      [job.vectorStoreId, job.fileId, job.claimedBy, leaseMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async failJob(job: IngestionJob, message: string, code = 'server_error'): Promise<void> {
    await inTransaction(
      this.pool,
      async (client) => {
        const held = await client.query(
          'SELECT 1 FROM kb_ingestion_jobs WHERE vector_store_id = $1 AND file_id = $2 AND claimed_by = $3 FOR UPDATE',
          [job.vectorStoreId, job.fileId, job.claimedBy],
        );
        if (held.rowCount === 0) return;
        await client.query(
          `UPDATE kb_store_files SET status = 'failed', error_code = $4, error_message = $3, chunk_count = 0, usage_bytes = 0
         WHERE vector_store_id = $1 AND file_id = $2`,
          [job.vectorStoreId, job.fileId, message, code],
        );
        await client.query(
          'DELETE FROM kb_ingestion_jobs WHERE vector_store_id = $1 AND file_id = $2 AND claimed_by = $3',
          [job.vectorStoreId, job.fileId, job.claimedBy],
        );
      },
      { owner: job.owner },
    );
  }

  /**
   * Gives every row still owned by no user (engineOwner: written before owners were kept in the
   * rows, or copied by migrate:engine) its owner: a store's and a file's from `ownerOf`, else the
   * local user (who may see unowned objects under the app's rule); a store's files, chunks, jobs
   * and batches follow their store, a file's bytes their file. How many stores and files it gave.
   */
  async adoptOwners(
    ownerOf: (kind: 'vector_store' | 'file', id: string) => Promise<string | null>,
  ): Promise<number> {
    const unowned = scopedDatabase(this.pool, () => ({ worker: 'adopt-owners' }));
    const stores = await unowned.query<{ id: string }>('SELECT id FROM kb_vector_stores');
    const files = await unowned.query<{ id: string }>('SELECT id FROM kb_files');
    for (const { id } of stores.rows) {
      const owner = (await ownerOf('vector_store', id)) ?? localUserId;
      await inTransaction(
        this.pool,
        async (client) => {
          await client.query('UPDATE kb_vector_stores SET owner = $2 WHERE id = $1', [id, owner]);
          for (const table of ['kb_store_files', 'kb_chunks', 'kb_ingestion_jobs', 'kb_file_batches'])
            await client.query(`UPDATE ${table} SET owner = $2 WHERE vector_store_id = $1`, [id, owner]);
        },
        // The owner too: PostgreSQL checks an updated row is still visible to the transaction.
        { worker: 'adopt-owners', owner },
      );
    }
    for (const { id } of files.rows) {
      const owner = (await ownerOf('file', id)) ?? localUserId;
      await inTransaction(
        this.pool,
        async (client) => {
          await client.query('UPDATE kb_files SET owner = $2 WHERE id = $1', [id, owner]);
          await client.query('UPDATE kb_file_contents SET owner = $2 WHERE file_id = $1', [id, owner]);
        },
        { worker: 'adopt-owners', owner },
      );
    }
    return stores.rows.length + files.rows.length;
  }

  /** Hybrid search over the owner's stores; another user's store ids match nothing. */
  search(
    owner: string,
    vectorStoreIds: readonly string[],
    input: PostgresSearchInput,
  ): Promise<PostgresSearchResult[]> {
    return searchPostgres(this.pool, owner, vectorStoreIds, input);
  }

  /**
   * One HNSW index per (model, dimension), partial on both, over the column cast to its size:
   * pgvector indexes only a fixed dimension, and vectors of different models must not be
   * compared. Made once, under an advisory lock, so instances do not race to build it. It holds
   * the one-window vectors; a chunk embedded in several windows (MiniLM's long chunks) is one
   * longer vector, found by the exact best-window scan (nearestChunks). Past pgvector's HNSW limit
   * (2,000 dimensions) there is no index: every search of that model is exact.
   */
  async ensureVectorIndex(model: string, dimensions: number): Promise<void> {
    const name = vectorIndexName(model, dimensions);
    if (this.vectorIndexes.has(name) || dimensions > hnswMaxDimensions) return;
    await inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [name]);
      await client.query(
        `CREATE INDEX IF NOT EXISTS ${name} ON kb_chunks USING hnsw ((embedding::vector(${dimensions})) vector_cosine_ops)
         WHERE embedding_model = ${pg.escapeLiteral(model)} AND vector_dims(embedding) = ${dimensions}`,
      );
    });
    this.vectorIndexes.add(name);
  }
}

/**
 * The dimension of one window among vectors that hold one or more (a chunk embedded in windows is
 * their vectors end to end): the greatest common divisor of their lengths; 0 for none.
 */
export function windowDimensions(lengths: readonly number[]): number {
  const gcd = (left: number, right: number): number => (right === 0 ? left : gcd(right, left % right));
  return lengths.reduce((found, length) => (length > 0 ? gcd(length, found) : found), 0);
}

export const vectorIndexName = (model: string, dimensions: number) =>
  `kb_chunks_hnsw_${createHash('sha256').update(`${model}\n${dimensions}`).digest('hex').slice(0, 16)}`;

/** pgvector's text form (`[0.1,0.2]`); '' for a chunk without a vector. */
function vectorLiteral(vector: Float32Array | undefined): string {
  return vector && vector.length > 0 ? `[${Array.from(vector).join(',')}]` : '';
}
