import type { KnowledgeFile, MeaningIndex, VectorStoreSummary } from '@threadline/shared';
import { fileStatusSchema } from '@threadline/shared';
import type pg from 'pg';
import { z } from 'zod';
import { actingUserId } from '../../../common/index.js';
import { scopedDatabase, type ScopedDatabase } from '../../../postgres/index.js';
import type { StoredFile } from '../../engine.js';
import type {
  ChunkingStrategy,
  ExpiresAfter,
  FileAttributes,
  FileBatchRecord,
  StoreFileDetails,
  VectorStoreRecord,
} from './knowledge-store.js';

/**
 * The owner of rows no user owns yet: those written before owners were kept in the rows, and
 * those migrate:engine copies from SQLite. No user acts as it; the app gives each such row its
 * owner from its ownership records at start (adoptOwners), so until then no one sees them.
 */
export const engineOwner = 'engine';

type StoreRow = {
  id: string;
  name: string;
  chunk_size: number;
  chunk_overlap: number;
  metadata: unknown;
  expires_after: unknown;
  last_active_at: Date | null;
  created_at: Date;
};
type StoreFileRow = {
  vector_store_id: string;
  file_id: string;
  file_name: string;
  bytes: string;
  status: string;
  error_code: string | null;
  error_message: string | null;
  chunk_count: number;
  created_at: Date;
  usage_bytes: string;
  chunk_size: number | null;
  chunk_overlap: number | null;
  attributes: unknown;
  store_chunk_size: number;
  store_chunk_overlap: number;
  total_chunks: string;
  embedded_chunks: string;
};

const metadataSchema = z.record(z.string(), z.string()).catch({});
const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).catch({});
const expiresAfterSchema = z
  .object({ anchor: z.literal('last_active_at'), days: z.number() })
  .nullable()
  .catch(null);
const idListSchema = z.array(z.string()).catch([]);

/**
 * A store file with its chunk counts: a chunk counts towards the meaning index with a vector in
 * `$model` (any vector while the model loads), as KnowledgeStore.meaningIndexByFile counts.
 */
const storeFileSelect = `SELECT sf.vector_store_id, sf.file_id, f.file_name, f.bytes, sf.status, sf.error_code,
  sf.error_message, sf.chunk_count, sf.created_at, sf.usage_bytes, sf.chunk_size, sf.chunk_overlap, sf.attributes,
  s.chunk_size AS store_chunk_size, s.chunk_overlap AS store_chunk_overlap,
  (SELECT count(*) FROM kb_chunks c WHERE c.vector_store_id = sf.vector_store_id AND c.file_id = sf.file_id) AS total_chunks,
  (SELECT count(*) FROM kb_chunks c WHERE c.vector_store_id = sf.vector_store_id AND c.file_id = sf.file_id
     AND c.embedding IS NOT NULL AND ($1::text IS NULL OR c.embedding_model = $1)) AS embedded_chunks
  FROM kb_store_files sf JOIN kb_files f ON f.id = sf.file_id JOIN kb_vector_stores s ON s.id = sf.vector_store_id`;

/** The records of the PostgreSQL knowledge base (stores, files, store files, batches) as KnowledgeStore gives them. */
export class PostgresKnowledgeRecords {
  /** Every query acts for the current user: row-level security shows only their rows. */
  private readonly database: ScopedDatabase;

  constructor(
    pool: pg.Pool,
    private readonly embeddingModel: () => string | null,
  ) {
    this.database = scopedDatabase(pool);
  }

  async insertFile(
    client: pg.PoolClient,
    input: { id: string; fileName: string; bytes: Buffer; purpose: string; contentType?: string | undefined },
  ): Promise<StoredFile> {
    const result = await client.query<{ created_at: Date }>(
      `INSERT INTO kb_files (id, owner, file_name, bytes, purpose, content_type) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING created_at`,
      [
        input.id,
        actingUserId(),
        input.fileName,
        input.bytes.length,
        input.purpose,
        input.contentType ?? null,
      ],
    );
    await client.query('INSERT INTO kb_file_contents (file_id, owner, content) VALUES ($1, $2, $3)', [
      input.id,
      actingUserId(),
      input.bytes,
    ]);
    return {
      id: input.id,
      fileName: input.fileName,
      bytes: input.bytes.length,
      createdAt: isoOf(result.rows[0]?.created_at),
    };
  }

  async getFile(fileId: string): Promise<(StoredFile & { purpose: string }) | null> {
    const result = await this.database.query<FileRow>(`${fileSelect} WHERE id = $1`, [fileId]);
    const row = result.rows[0];
    return row ? toStoredFile(row) : null;
  }

  async listFiles(): Promise<(StoredFile & { purpose: string })[]> {
    return (await this.database.query<FileRow>(`${fileSelect} ORDER BY created_at, seq`)).rows.map(
      toStoredFile,
    );
  }

  async fileContent(fileId: string): Promise<Buffer | null> {
    const result = await this.database.query<{ content: Buffer }>(
      'SELECT content FROM kb_file_contents WHERE file_id = $1',
      [fileId],
    );
    return result.rows[0]?.content ?? null;
  }

  /** Chunks, store files and queued jobs go with it (foreign keys cascade). */
  async deleteFile(fileId: string): Promise<boolean> {
    return ((await this.database.query('DELETE FROM kb_files WHERE id = $1', [fileId])).rowCount ?? 0) > 0;
  }

  async insertVectorStore(input: Omit<VectorStoreRecord, 'createdAt' | 'lastActiveAt'>): Promise<void> {
    await this.database.query(
      `INSERT INTO kb_vector_stores (id, owner, name, chunk_size, chunk_overlap, metadata, expires_after, last_active_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, now())`,
      [
        input.id,
        actingUserId(),
        input.name,
        input.chunking.maxChunkSizeTokens,
        input.chunking.chunkOverlapTokens,
        JSON.stringify(input.metadata),
        input.expiresAfter === null ? null : JSON.stringify(input.expiresAfter),
      ],
    );
  }

  async updateVectorStore(
    id: string,
    input: { name?: string; metadata?: Record<string, string>; expiresAfter?: ExpiresAfter | null },
  ): Promise<void> {
    if (input.expiresAfter !== undefined)
      await this.database.query('UPDATE kb_vector_stores SET expires_after = $1 WHERE id = $2', [
        input.expiresAfter === null ? null : JSON.stringify(input.expiresAfter),
        id,
      ]);
    if (input.name !== undefined)
      await this.database.query('UPDATE kb_vector_stores SET name = $1 WHERE id = $2', [input.name, id]);
    if (input.metadata !== undefined)
      await this.database.query('UPDATE kb_vector_stores SET metadata = $1 WHERE id = $2', [
        JSON.stringify(input.metadata),
        id,
      ]);
  }

  async getVectorStore(id: string): Promise<VectorStoreRecord | null> {
    const result = await this.database.query<StoreRow>('SELECT * FROM kb_vector_stores WHERE id = $1', [id]);
    const row = result.rows[0];
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      chunking: { maxChunkSizeTokens: row.chunk_size, chunkOverlapTokens: row.chunk_overlap },
      metadata: metadataSchema.parse(row.metadata),
      expiresAfter: expiresAfterSchema.parse(row.expires_after),
      lastActiveAt: row.last_active_at === null ? null : row.last_active_at.toISOString(),
      createdAt: row.created_at.toISOString(),
    };
  }

  async listVectorStoreIds(): Promise<string[]> {
    const result = await this.database.query<{ id: string }>(
      'SELECT id FROM kb_vector_stores ORDER BY created_at, seq',
    );
    return result.rows.map((row) => row.id);
  }

  async summary(id: string): Promise<VectorStoreSummary | null> {
    const record = await this.getVectorStore(id);
    if (!record) return null;
    const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    let usageBytes = 0;
    const statuses = await this.database.query<{ status: string; count: string; usage: string | null }>(
      'SELECT status, count(*) AS count, sum(usage_bytes) AS usage FROM kb_store_files WHERE vector_store_id = $1 GROUP BY status',
      [id],
    );
    for (const row of statuses.rows) {
      const status = fileStatusSchema.catch('failed').parse(row.status);
      counts[status] += Number(row.count);
      counts.total += Number(row.count);
      usageBytes += Number(row.usage ?? 0);
    }
    const chunks = await this.database.query<{ total: string; embedded: string }>(
      `SELECT count(*) AS total,
         count(*) FILTER (WHERE embedding IS NOT NULL AND ($2::text IS NULL OR embedding_model = $2)) AS embedded
       FROM kb_chunks WHERE vector_store_id = $1`,
      [id, this.embeddingModel()],
    );
    const meaningIndex: MeaningIndex = {
      embeddedChunks: Number(chunks.rows[0]?.embedded ?? 0),
      totalChunks: Number(chunks.rows[0]?.total ?? 0),
    };
    return {
      id,
      name: record.name,
      createdAt: record.createdAt,
      fileCounts: counts,
      usageBytes,
      meaningIndex,
    };
  }

  async deleteVectorStore(id: string): Promise<boolean> {
    return (
      ((await this.database.query('DELETE FROM kb_vector_stores WHERE id = $1', [id])).rowCount ?? 0) > 0
    );
  }

  async touchVectorStore(id: string): Promise<void> {
    await this.database.query('UPDATE kb_vector_stores SET last_active_at = now() WHERE id = $1', [id]);
  }

  /**
   * Attaches (or re-attaches) the file as `in_progress`, drops its chunks and queues its
   * ingestion with the file's bytes, in one transaction: any instance may take the job.
   */
  async attach(
    client: pg.PoolClient,
    vectorStoreId: string,
    fileId: string,
    options: { chunking?: ChunkingStrategy | undefined; attributes?: FileAttributes | undefined },
  ): Promise<void> {
    await client.query(
      `INSERT INTO kb_store_files (vector_store_id, file_id, owner, status, chunk_size, chunk_overlap, attributes)
       VALUES ($1, $2, $3, 'in_progress', $4, $5, $6)
       ON CONFLICT (vector_store_id, file_id) DO UPDATE SET status = 'in_progress', error_code = NULL,
         error_message = NULL, attempts = 0, chunk_count = 0, usage_bytes = 0,
         chunk_size = excluded.chunk_size, chunk_overlap = excluded.chunk_overlap, attributes = excluded.attributes`,
      [
        vectorStoreId,
        fileId,
        actingUserId(),
        options.chunking?.maxChunkSizeTokens ?? null,
        options.chunking?.chunkOverlapTokens ?? null,
        JSON.stringify(options.attributes ?? {}),
      ],
    );
    await client.query('DELETE FROM kb_chunks WHERE vector_store_id = $1 AND file_id = $2', [
      vectorStoreId,
      fileId,
    ]);
    await client.query(
      `INSERT INTO kb_ingestion_jobs (vector_store_id, file_id, owner, content)
       SELECT $1, $2, $3, content FROM kb_file_contents WHERE file_id = $2
       ON CONFLICT (vector_store_id, file_id) DO UPDATE SET claimed_by = NULL, lease_until = NULL,
         content = excluded.content, created_at = clock_timestamp()`,
      [vectorStoreId, fileId, actingUserId()],
    );
  }

  /** Its chunks and queued job go with it (foreign keys cascade). */
  async detachFile(vectorStoreId: string, fileId: string): Promise<boolean> {
    const result = await this.database.query(
      'DELETE FROM kb_store_files WHERE vector_store_id = $1 AND file_id = $2',
      [vectorStoreId, fileId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async getStoreFileDetails(vectorStoreId: string, fileId: string): Promise<StoreFileDetails | null> {
    const result = await this.database.query<StoreFileRow>(
      `${storeFileSelect} WHERE sf.vector_store_id = $2 AND sf.file_id = $3`,
      [this.embeddingModel(), vectorStoreId, fileId],
    );
    const row = result.rows[0];
    return row ? toStoreFileDetails(row) : null;
  }

  async listStoreFileDetails(vectorStoreId: string): Promise<StoreFileDetails[]> {
    const result = await this.database.query<StoreFileRow>(
      `${storeFileSelect} WHERE sf.vector_store_id = $2 ORDER BY sf.created_at, sf.seq`,
      [this.embeddingModel(), vectorStoreId],
    );
    return result.rows.map(toStoreFileDetails);
  }

  /** How many of the store's files (of every store when null) are still being ingested. */
  async countInProgress(vectorStoreId: string | null): Promise<number> {
    const result = await this.database.query<{ count: string }>(
      `SELECT count(*) AS count FROM kb_store_files WHERE status = 'in_progress' AND ($1::text IS NULL OR vector_store_id = $1)`,
      [vectorStoreId],
    );
    return Number(result.rows[0]?.count ?? 0);
  }

  /** The attributes of these files in each of these stores that holds them. */
  async attributesOf(
    vectorStoreIds: readonly string[],
    fileIds: readonly string[],
  ): Promise<{ vectorStoreId: string; fileId: string; attributes: FileAttributes }[]> {
    const result = await this.database.query<{
      file_id: string;
      vector_store_id: string;
      attributes: unknown;
    }>(
      'SELECT file_id, vector_store_id, attributes FROM kb_store_files WHERE vector_store_id = ANY($1) AND file_id = ANY($2)',
      [[...vectorStoreIds], [...fileIds]],
    );
    return result.rows.map((row) => ({
      vectorStoreId: row.vector_store_id,
      fileId: row.file_id,
      attributes: attributesSchema.parse(row.attributes),
    }));
  }

  async insertFileBatch(batch: Omit<FileBatchRecord, 'createdAt'>): Promise<FileBatchRecord> {
    const result = await this.database.query<{ created_at: Date }>(
      'INSERT INTO kb_file_batches (id, vector_store_id, owner, file_ids) VALUES ($1, $2, $3, $4) RETURNING created_at',
      [batch.id, batch.vectorStoreId, actingUserId(), JSON.stringify(batch.fileIds)],
    );
    return { ...batch, createdAt: isoOf(result.rows[0]?.created_at) };
  }

  async getFileBatch(vectorStoreId: string, batchId: string): Promise<FileBatchRecord | null> {
    const result = await this.database.query<{
      id: string;
      vector_store_id: string;
      file_ids: unknown;
      created_at: Date;
    }>(
      'SELECT id, vector_store_id, file_ids, created_at FROM kb_file_batches WHERE vector_store_id = $1 AND id = $2',
      [vectorStoreId, batchId],
    );
    const row = result.rows[0];
    return row
      ? {
          id: row.id,
          vectorStoreId: row.vector_store_id,
          fileIds: idListSchema.parse(row.file_ids),
          createdAt: row.created_at.toISOString(),
        }
      : null;
  }
}

type FileRow = { id: string; file_name: string; bytes: string; purpose: string; created_at: Date };
const fileSelect = 'SELECT id, file_name, bytes, purpose, created_at FROM kb_files';

const isoOf = (date: Date | undefined) => (date ?? new Date()).toISOString();

const toStoredFile = (row: FileRow) => ({
  id: row.id,
  fileName: row.file_name,
  bytes: Number(row.bytes),
  createdAt: row.created_at.toISOString(),
  purpose: row.purpose,
});

function toStoreFileDetails(row: StoreFileRow): StoreFileDetails {
  const file: KnowledgeFile = {
    id: row.file_id,
    vectorStoreId: row.vector_store_id,
    fileName: row.file_name,
    bytes: Number(row.bytes),
    status: fileStatusSchema.catch('failed').parse(row.status),
    lastError: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    chunkCount: row.chunk_count,
    createdAt: row.created_at.toISOString(),
    meaningIndex: { embeddedChunks: Number(row.embedded_chunks), totalChunks: Number(row.total_chunks) },
  };
  return {
    ...file,
    usageBytes: Number(row.usage_bytes),
    chunking: {
      maxChunkSizeTokens: row.chunk_size ?? row.store_chunk_size,
      chunkOverlapTokens: row.chunk_overlap ?? row.store_chunk_overlap,
    },
    attributes: attributesSchema.parse(row.attributes),
  };
}

/** The KnowledgeFile of a store file (what the knowledge API lists). */
export const toKnowledgeFileOf = (details: StoreFileDetails): KnowledgeFile => ({
  id: details.id,
  vectorStoreId: details.vectorStoreId,
  fileName: details.fileName,
  bytes: details.bytes,
  status: details.status,
  lastError: details.lastError,
  chunkCount: details.chunkCount,
  createdAt: details.createdAt,
  ...(details.meaningIndex ? { meaningIndex: details.meaningIndex } : {}),
});
