import type { FileStatus, KnowledgeFile, MeaningIndex, VectorStoreSummary } from '@threadline/shared';
import { fileStatusSchema } from '@threadline/shared';
import { z } from 'zod';
import type { SqliteDatabase } from '../../../sqlite/index.js';
import type { StoredFile } from '../../engine.js';
import type { PreparedChunk } from './ingest/prepare-chunks.js';

export type ChunkingStrategy = { maxChunkSizeTokens: number; chunkOverlapTokens: number };
export type ExpiresAfter = { anchor: 'last_active_at'; days: number };
export type FileAttributes = Record<string, string | number | boolean>;
export type VectorStoreRecord = {
  id: string;
  name: string;
  chunking: ChunkingStrategy;
  metadata: Record<string, string>;
  expiresAfter: ExpiresAfter | null;
  lastActiveAt: string | null;
  createdAt: string;
};
/** A store file with what /v1 shows beyond KnowledgeFile. */
export type StoreFileDetails = KnowledgeFile & {
  usageBytes: number;
  chunking: ChunkingStrategy;
  attributes: FileAttributes;
};
export type FileBatchRecord = { id: string; vectorStoreId: string; fileIds: string[]; createdAt: string };

type FileRow = { id: string; file_name: string; bytes: number; purpose: string; created_at: string };
type StoreRow = {
  id: string;
  name: string;
  chunk_size: number;
  chunk_overlap: number;
  metadata: string;
  expires_after: string | null;
  last_active_at: string | null;
  created_at: string;
};
type StoreFileRow = {
  vector_store_id: string;
  file_id: string;
  file_name: string;
  bytes: number;
  status: string;
  error_code: string | null;
  error_message: string | null;
  chunk_count: number;
  created_at: string;
  usage_bytes: number;
  chunk_size: number | null;
  chunk_overlap: number | null;
  attributes: string;
};

const metadataSchema = z.record(z.string(), z.string());
const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
const expiresAfterSchema = z.object({ anchor: z.literal('last_active_at'), days: z.number() }).nullable();
const idListSchema = z.array(z.string());
const parseJson = <T>(schema: z.ZodType<T>, text: string | null, fallback: T): T => {
  if (text === null) return fallback;
  try {
    return schema.catch(fallback).parse(JSON.parse(text));
  } catch {
    return fallback;
  }
};

const storeFileSelect = `SELECT sf.vector_store_id, sf.file_id, f.file_name, f.bytes, sf.status, sf.error_code,
  sf.error_message, sf.chunk_count, sf.created_at, sf.usage_bytes, sf.chunk_size, sf.chunk_overlap, sf.attributes
  FROM kb_store_files sf JOIN kb_files f ON f.id = sf.file_id`;

/** Every SQL statement of the knowledge base, so the rest of it speaks in records. */
export class KnowledgeStore {
  /**
   * `embeddingModel` names the model new vectors are in (null while it loads): a chunk counts
   * towards the meaning index only with a vector in that model (any vector while it loads).
   */
  constructor(
    private readonly database: SqliteDatabase,
    private readonly embeddingModel: () => string | null = () => null,
  ) {}

  /** Per file of the store, its chunks and how many of them have vectors (see MeaningIndex). */
  meaningIndexByFile(vectorStoreId: string, fileId: string | null = null): Map<string, MeaningIndex> {
    // Two statements rather than `@file IS NULL OR …`, so one file's count uses the whole index.
    const rows = this.database
      .prepare<
        { store: string; file: string | null; model: string | null },
        { file_id: string; total: number; embedded: number }
      >(
        `SELECT file_id, count(*) AS total,
           coalesce(sum(embedding_model <> '' AND (@model IS NULL OR embedding_model = @model)), 0) AS embedded
         FROM kb_chunks WHERE vector_store_id = @store ${fileId === null ? '' : 'AND file_id = @file'} GROUP BY file_id`,
      )
      .all({ store: vectorStoreId, file: fileId, model: this.embeddingModel() });
    return new Map(
      rows.map((row) => [row.file_id, { embeddedChunks: row.embedded, totalChunks: row.total }]),
    );
  }

  insertFile(input: {
    id: string;
    fileName: string;
    bytes: number;
    purpose: string;
    contentType?: string | undefined;
  }): StoredFile {
    const createdAt = new Date().toISOString();
    this.database
      .prepare(
        'INSERT INTO kb_files (id, file_name, bytes, purpose, content_type, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(input.id, input.fileName, input.bytes, input.purpose, input.contentType ?? null, createdAt);
    return { id: input.id, fileName: input.fileName, bytes: input.bytes, createdAt };
  }

  getFile(fileId: string): (StoredFile & { purpose: string }) | null {
    const row = this.database.prepare<[string], FileRow>('SELECT * FROM kb_files WHERE id = ?').get(fileId);
    return row ? toStoredFile(row) : null;
  }

  listFiles(): (StoredFile & { purpose: string })[] {
    return this.database
      .prepare<[], FileRow>('SELECT * FROM kb_files ORDER BY created_at, rowid')
      .all()
      .map(toStoredFile);
  }

  storesOfFile(fileId: string): string[] {
    return this.database
      .prepare<[string], { vector_store_id: string }>(
        'SELECT vector_store_id FROM kb_store_files WHERE file_id = ?',
      )
      .all(fileId)
      .map((row) => row.vector_store_id);
  }

  deleteFile(fileId: string): boolean {
    return this.database.transaction(() => {
      for (const vectorStoreId of this.storesOfFile(fileId)) this.deleteChunks(vectorStoreId, fileId);
      return this.database.prepare('DELETE FROM kb_files WHERE id = ?').run(fileId).changes > 0;
    })();
  }

  insertVectorStore(input: Omit<VectorStoreRecord, 'createdAt' | 'lastActiveAt'>): void {
    const now = new Date().toISOString();
    this.database
      .prepare(
        `INSERT INTO kb_vector_stores (id, name, chunk_size, chunk_overlap, metadata, expires_after, last_active_at, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        input.id,
        input.name,
        input.chunking.maxChunkSizeTokens,
        input.chunking.chunkOverlapTokens,
        JSON.stringify(input.metadata),
        input.expiresAfter === null ? null : JSON.stringify(input.expiresAfter),
        now,
        now,
      );
  }

  updateVectorStore(
    id: string,
    input: { name?: string; metadata?: Record<string, string>; expiresAfter?: ExpiresAfter | null },
  ): void {
    if (input.expiresAfter !== undefined) {
      this.database
        .prepare('UPDATE kb_vector_stores SET expires_after = ? WHERE id = ?')
        .run(input.expiresAfter === null ? null : JSON.stringify(input.expiresAfter), id);
    }
    if (input.name !== undefined)
      this.database.prepare('UPDATE kb_vector_stores SET name = ? WHERE id = ?').run(input.name, id);
    if (input.metadata !== undefined) {
      this.database
        .prepare('UPDATE kb_vector_stores SET metadata = ? WHERE id = ?')
        .run(JSON.stringify(input.metadata), id);
    }
  }

  getVectorStore(id: string): VectorStoreRecord | null {
    const row = this.database
      .prepare<[string], StoreRow>('SELECT * FROM kb_vector_stores WHERE id = ?')
      .get(id);
    if (!row) return null;
    return {
      id: row.id,
      name: row.name,
      chunking: { maxChunkSizeTokens: row.chunk_size, chunkOverlapTokens: row.chunk_overlap },
      metadata: parseJson(metadataSchema, row.metadata, {}),
      expiresAfter: parseJson(expiresAfterSchema, row.expires_after, null),
      lastActiveAt: row.last_active_at,
      createdAt: row.created_at,
    };
  }

  listVectorStoreIds(): string[] {
    return this.database
      .prepare<[], { id: string }>('SELECT id FROM kb_vector_stores ORDER BY created_at, rowid')
      .all()
      .map((row) => row.id);
  }

  /** Every store, the most recently searched (or created) first. */
  listVectorStoreIdsByActivity(): string[] {
    return this.database
      .prepare<[], { id: string }>(
        'SELECT id FROM kb_vector_stores ORDER BY coalesce(last_active_at, created_at) DESC, rowid DESC',
      )
      .all()
      .map((row) => row.id);
  }

  summary(id: string): VectorStoreSummary | null {
    const record = this.getVectorStore(id);
    if (!record) return null;
    const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
    let usageBytes = 0;
    const rows = this.database
      .prepare<[string], { status: string; count: number; usage: number }>(
        'SELECT status, count(*) AS count, sum(usage_bytes) AS usage FROM kb_store_files WHERE vector_store_id = ? GROUP BY status',
      )
      .all(id);
    for (const row of rows) {
      const status = fileStatusSchema.catch('failed').parse(row.status);
      counts[status] += row.count;
      counts.total += row.count;
      usageBytes += row.usage;
    }
    const meaningIndex = { embeddedChunks: 0, totalChunks: 0 };
    for (const file of this.meaningIndexByFile(id).values()) {
      meaningIndex.embeddedChunks += file.embeddedChunks;
      meaningIndex.totalChunks += file.totalChunks;
    }
    return {
      id,
      name: record.name,
      createdAt: record.createdAt,
      fileCounts: counts,
      usageBytes,
      meaningIndex,
    };
  }

  deleteVectorStore(id: string): boolean {
    return this.database.transaction(() => {
      this.database
        .prepare(
          'DELETE FROM kb_chunks_fts WHERE rowid IN (SELECT rowid FROM kb_chunks WHERE vector_store_id = ?)',
        )
        .run(id);
      this.database.prepare('DELETE FROM kb_chunks WHERE vector_store_id = ?').run(id);
      this.database.prepare('DELETE FROM kb_store_files WHERE vector_store_id = ?').run(id);
      return this.database.prepare('DELETE FROM kb_vector_stores WHERE id = ?').run(id).changes > 0;
    })();
  }

  upsertStoreFile(
    vectorStoreId: string,
    fileId: string,
    options: { chunking?: ChunkingStrategy | undefined; attributes?: FileAttributes | undefined } = {},
  ): void {
    this.database
      .prepare(
        `INSERT INTO kb_store_files (vector_store_id, file_id, status, created_at, chunk_size, chunk_overlap, attributes)
         VALUES (?, ?, 'in_progress', ?, ?, ?, ?)
         ON CONFLICT (vector_store_id, file_id) DO UPDATE SET status = 'in_progress', error_code = NULL, error_message = NULL, attempts = 0,
           chunk_size = excluded.chunk_size, chunk_overlap = excluded.chunk_overlap, attributes = excluded.attributes`,
      )
      .run(
        vectorStoreId,
        fileId,
        new Date().toISOString(),
        options.chunking?.maxChunkSizeTokens ?? null,
        options.chunking?.chunkOverlapTokens ?? null,
        JSON.stringify(options.attributes ?? {}),
      );
  }

  getStoreFileDetails(vectorStoreId: string, fileId: string): StoreFileDetails | null {
    const row = this.database
      .prepare<[string, string], StoreFileRow>(
        `${storeFileSelect} WHERE sf.vector_store_id = ? AND sf.file_id = ?`,
      )
      .get(vectorStoreId, fileId);
    const store = this.getVectorStore(vectorStoreId);
    if (!row || !store) return null;
    return {
      ...toKnowledgeFile(row),
      usageBytes: row.usage_bytes,
      chunking:
        row.chunk_size !== null && row.chunk_overlap !== null
          ? { maxChunkSizeTokens: row.chunk_size, chunkOverlapTokens: row.chunk_overlap }
          : store.chunking,
      attributes: parseJson(attributesSchema, row.attributes, {}),
    };
  }

  touchVectorStore(id: string): void {
    this.database
      .prepare('UPDATE kb_vector_stores SET last_active_at = ? WHERE id = ?')
      .run(new Date().toISOString(), id);
  }

  insertFileBatch(batch: Omit<FileBatchRecord, 'createdAt'>): FileBatchRecord {
    const createdAt = new Date().toISOString();
    this.database
      .prepare('INSERT INTO kb_file_batches (id, vector_store_id, file_ids, created_at) VALUES (?, ?, ?, ?)')
      .run(batch.id, batch.vectorStoreId, JSON.stringify(batch.fileIds), createdAt);
    return { ...batch, createdAt };
  }

  getFileBatch(vectorStoreId: string, batchId: string): FileBatchRecord | null {
    const row = this.database
      .prepare<
        [string, string],
        { id: string; vector_store_id: string; file_ids: string; created_at: string }
      >('SELECT * FROM kb_file_batches WHERE vector_store_id = ? AND id = ?')
      .get(vectorStoreId, batchId);
    if (!row) return null;
    return {
      id: row.id,
      vectorStoreId: row.vector_store_id,
      fileIds: parseJson(idListSchema, row.file_ids, []),
      createdAt: row.created_at,
    };
  }

  getKnowledgeFile(vectorStoreId: string, fileId: string): KnowledgeFile | null {
    const row = this.database
      .prepare<[string, string], StoreFileRow>(
        `${storeFileSelect} WHERE sf.vector_store_id = ? AND sf.file_id = ?`,
      )
      .get(vectorStoreId, fileId);
    return row
      ? withMeaningIndex(toKnowledgeFile(row), this.meaningIndexByFile(vectorStoreId, fileId))
      : null;
  }

  listKnowledgeFiles(vectorStoreId: string): KnowledgeFile[] {
    const meaningIndex = this.meaningIndexByFile(vectorStoreId);
    return this.database
      .prepare<[string], StoreFileRow>(
        `${storeFileSelect} WHERE sf.vector_store_id = ? ORDER BY sf.created_at, sf.rowid`,
      )
      .all(vectorStoreId)
      .map((row) => withMeaningIndex(toKnowledgeFile(row), meaningIndex));
  }

  listByStatus(status: FileStatus): { vectorStoreId: string; fileId: string }[] {
    return this.database
      .prepare<[string], { vector_store_id: string; file_id: string }>(
        'SELECT vector_store_id, file_id FROM kb_store_files WHERE status = ? ORDER BY created_at',
      )
      .all(status)
      .map((row) => ({ vectorStoreId: row.vector_store_id, fileId: row.file_id }));
  }

  detachFile(vectorStoreId: string, fileId: string): boolean {
    return this.database.transaction(() => {
      this.deleteChunks(vectorStoreId, fileId);
      return (
        this.database
          .prepare('DELETE FROM kb_store_files WHERE vector_store_id = ? AND file_id = ?')
          .run(vectorStoreId, fileId).changes > 0
      );
    })();
  }

  /** Replaces the pair's chunks and marks it completed, unless it was detached meanwhile. */
  completeIngestion(
    vectorStoreId: string,
    fileId: string,
    chunks: readonly PreparedChunk[],
    embeddings: readonly Float32Array[],
    model: string,
    newChunkId: () => string,
  ): boolean {
    return this.database.transaction(() => {
      const current = this.getKnowledgeFile(vectorStoreId, fileId);
      if (!current || current.status !== 'in_progress') return false;
      this.deleteChunks(vectorStoreId, fileId);
      this.insertChunks(vectorStoreId, fileId, chunks, embeddings, 0, model, newChunkId);
      this.database
        .prepare(
          `UPDATE kb_store_files SET status = 'completed', chunk_count = ?, usage_bytes = ?, error_code = NULL, error_message = NULL
           WHERE vector_store_id = ? AND file_id = ?`,
        )
        .run(chunks.length, current.bytes, vectorStoreId, fileId);
      return true;
    })();
  }

  /** Store files with chunk vectors from a model other than `model`, oldest first. */
  listStaleEmbeddings(model: string): { vectorStoreId: string; fileId: string }[] {
    return this.database
      .prepare<[string], { vector_store_id: string; file_id: string }>(
        `SELECT DISTINCT c.vector_store_id, c.file_id FROM kb_chunks c
         JOIN kb_store_files sf ON sf.vector_store_id = c.vector_store_id AND sf.file_id = c.file_id
         WHERE c.embedding_model <> ? AND sf.status = 'completed' ORDER BY sf.created_at`,
      )
      .all(model)
      .map((row) => ({ vectorStoreId: row.vector_store_id, fileId: row.file_id }));
  }

  listChunks(
    vectorStoreId: string,
    fileId: string,
  ): { rowid: number; ordinal: number; text: string; model: string }[] {
    return this.database
      .prepare<[string, string], { rowid: number; ordinal: number; text: string; model: string }>(
        'SELECT rowid, ordinal, text, embedding_model AS model FROM kb_chunks WHERE vector_store_id = ? AND file_id = ? ORDER BY ordinal',
      )
      .all(vectorStoreId, fileId);
  }

  /** The pair's chunks with ordinals in [from, to) whose rows have `model` (one slice of a file). */
  listChunksInRange(
    vectorStoreId: string,
    fileId: string,
    range: { from: number; to: number; model: string },
  ): { rowid: number; ordinal: number; text: string }[] {
    return this.database
      .prepare<[string, string, number, number, string], { rowid: number; ordinal: number; text: string }>(
        `SELECT rowid, ordinal, text FROM kb_chunks WHERE vector_store_id = ? AND file_id = ?
         AND ordinal >= ? AND ordinal < ? AND embedding_model = ? ORDER BY ordinal`,
      )
      .all(vectorStoreId, fileId, range.from, range.to, range.model);
  }

  /** Replaces chunk vectors in place (same chunks, new model), so citations keep their ids. */
  updateEmbeddings(rows: readonly { rowid: number; embedding: Float32Array }[], model: string): void {
    const update = this.database.prepare(
      'UPDATE kb_chunks SET embedding = ?, embedding_model = ? WHERE rowid = ?',
    );
    this.database.transaction(() => {
      for (const { rowid, embedding } of rows)
        update.run(Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength), model, rowid);
    })();
  }

  /** Files left `in_progress` (by a process that stopped), with how often their ingestion started. */
  listInterrupted(): { vectorStoreId: string; fileId: string; attempts: number }[] {
    return this.database
      .prepare<[], { vector_store_id: string; file_id: string; attempts: number }>(
        "SELECT vector_store_id, file_id, attempts FROM kb_store_files WHERE status = 'in_progress' ORDER BY created_at",
      )
      .all()
      .map((row) => ({ vectorStoreId: row.vector_store_id, fileId: row.file_id, attempts: row.attempts }));
  }

  /**
   * Starts (or restarts) ingesting the pair: drops its chunks and counts the attempt, durably,
   * before any parsing. False when the pair is gone or no longer `in_progress`.
   */
  startIngestion(vectorStoreId: string, fileId: string): boolean {
    return this.database.transaction(() => {
      const isCounted =
        this.database
          .prepare(
            "UPDATE kb_store_files SET attempts = attempts + 1 WHERE vector_store_id = ? AND file_id = ? AND status = 'in_progress'",
          )
          .run(vectorStoreId, fileId).changes > 0;
      if (isCounted) this.deleteChunks(vectorStoreId, fileId);
      return isCounted;
    })();
  }

  /** Adds one slice of the pair's chunks, unless it was detached or settled meanwhile. */
  appendChunks(
    vectorStoreId: string,
    fileId: string,
    slice: { chunks: readonly PreparedChunk[]; embeddings: readonly Float32Array[]; firstOrdinal: number },
    model: string,
    newChunkId: () => string,
  ): boolean {
    return this.database.transaction(() => {
      const current = this.getKnowledgeFile(vectorStoreId, fileId);
      if (!current || current.status !== 'in_progress') return false;
      this.insertChunks(
        vectorStoreId,
        fileId,
        slice.chunks,
        slice.embeddings,
        slice.firstOrdinal,
        model,
        newChunkId,
      );
      return true;
    })();
  }

  /**
   * Marks the pair completed with the chunks appended so far; `contentKey` (content-key.ts)
   * offers its chunks for reuse by a pair with the same key.
   */
  finishIngestion(vectorStoreId: string, fileId: string, contentKey: string | null = null): boolean {
    return this.database.transaction(() => {
      const current = this.getKnowledgeFile(vectorStoreId, fileId);
      if (!current || current.status !== 'in_progress') return false;
      this.database
        .prepare(
          `UPDATE kb_store_files SET status = 'completed', chunk_count = ?, usage_bytes = ?, error_code = NULL, error_message = NULL, content_key = ?
           WHERE vector_store_id = ? AND file_id = ?`,
        )
        .run(this.countChunks(vectorStoreId, fileId), current.bytes, contentKey, vectorStoreId, fileId);
      return true;
    })();
  }

  /**
   * A completed pair whose chunks were made from `contentKey` and are all still in `model`
   * (a re-embedding after a model change leaves the key behind), other than the pair itself.
   */
  findReusable(
    contentKey: string,
    model: string,
    except: { vectorStoreId: string; fileId: string },
  ): { vectorStoreId: string; fileId: string } | null {
    const row = this.database
      .prepare<[string, string, string, string], { vector_store_id: string; file_id: string }>(
        `SELECT sf.vector_store_id, sf.file_id FROM kb_store_files sf
         WHERE sf.content_key = ? AND sf.status = 'completed'
           AND NOT (sf.vector_store_id = ? AND sf.file_id = ?)
           AND NOT EXISTS (SELECT 1 FROM kb_chunks c WHERE c.vector_store_id = sf.vector_store_id AND c.file_id = sf.file_id
             AND (c.embedding_model <> ? OR c.index_title IS NULL OR c.index_headings IS NULL))
         ORDER BY sf.created_at LIMIT 1`,
      )
      .get(contentKey, except.vectorStoreId, except.fileId, model);
    return row ? { vectorStoreId: row.vector_store_id, fileId: row.file_id } : null;
  }

  /**
   * Fills the `in_progress` pair `target` with copies of `source`'s chunks (text, vectors,
   * analysed fields; new chunk ids, as citations name a pair's own chunks) and completes it
   * with `contentKey`, in one transaction. `analyseBody` gives the indexed body of a chunk's
   * text (the index is contentless, so the source's cannot be read back). False when the
   * target is gone or settled, or the source changed meanwhile.
   */
  copyChunks(
    source: { vectorStoreId: string; fileId: string },
    target: { vectorStoreId: string; fileId: string },
    contentKey: string,
    model: string,
    options: { newChunkId: () => string; analyseBody: (text: string) => string },
  ): boolean {
    return this.database.transaction(() => {
      const current = this.getKnowledgeFile(target.vectorStoreId, target.fileId);
      if (!current || current.status !== 'in_progress') return false;
      if (!this.findReusable(contentKey, model, target)) return false;
      const rows = this.database
        .prepare<
          [string, string],
          { ordinal: number; text: string; embedding: Buffer; index_title: string; index_headings: string }
        >(
          `SELECT ordinal, text, embedding, index_title, index_headings FROM kb_chunks
           WHERE vector_store_id = ? AND file_id = ? ORDER BY ordinal`,
        )
        .all(source.vectorStoreId, source.fileId);
      this.deleteChunks(target.vectorStoreId, target.fileId);
      const insertChunk = this.database.prepare(
        'INSERT INTO kb_chunks (id, vector_store_id, file_id, ordinal, text, embedding, embedding_model, index_title, index_headings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const insertIndex = this.database.prepare(
        'INSERT INTO kb_chunks_fts (rowid, store, title, headings, body) VALUES (?, ?, ?, ?, ?)',
      );
      for (const row of rows) {
        const { lastInsertRowid } = insertChunk.run(
          options.newChunkId(),
          target.vectorStoreId,
          target.fileId,
          row.ordinal,
          row.text,
          row.embedding,
          model,
          row.index_title,
          row.index_headings,
        );
        insertIndex.run(
          lastInsertRowid,
          storeToken(target.vectorStoreId),
          row.index_title,
          row.index_headings,
          options.analyseBody(row.text),
        );
      }
      return this.finishIngestion(target.vectorStoreId, target.fileId, contentKey);
    })();
  }

  failIngestion(vectorStoreId: string, fileId: string, error: { code: string; message: string }): void {
    this.database.transaction(() => {
      this.deleteChunks(vectorStoreId, fileId);
      this.database
        .prepare(
          `UPDATE kb_store_files SET status = 'failed', chunk_count = 0, usage_bytes = 0, error_code = ?, error_message = ?
           WHERE vector_store_id = ? AND file_id = ?`,
        )
        .run(error.code, error.message, vectorStoreId, fileId);
    })();
  }

  countChunks(vectorStoreId: string, fileId?: string): number {
    const row =
      fileId === undefined
        ? this.database
            .prepare<[string], { count: number }>(
              'SELECT count(*) AS count FROM kb_chunks WHERE vector_store_id = ?',
            )
            .get(vectorStoreId)
        : this.database
            .prepare<[string, string], { count: number }>(
              'SELECT count(*) AS count FROM kb_chunks WHERE vector_store_id = ? AND file_id = ?',
            )
            .get(vectorStoreId, fileId);
    return row?.count ?? 0;
  }

  countIndexRows(vectorStoreId: string): number {
    return (
      this.database
        .prepare<[string], { count: number }>(
          'SELECT count(*) AS count FROM kb_chunks_fts WHERE kb_chunks_fts MATCH ?',
        )
        .get(`store : "${storeToken(vectorStoreId)}"`)?.count ?? 0
    );
  }

  private insertChunks(
    vectorStoreId: string,
    fileId: string,
    chunks: readonly PreparedChunk[],
    embeddings: readonly Float32Array[],
    firstOrdinal: number,
    model: string,
    newChunkId: () => string,
  ): void {
    const insertChunk = this.database.prepare(
      'INSERT INTO kb_chunks (id, vector_store_id, file_id, ordinal, text, embedding, embedding_model, index_title, index_headings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    const insertIndex = this.database.prepare(
      'INSERT INTO kb_chunks_fts (rowid, store, title, headings, body) VALUES (?, ?, ?, ?, ?)',
    );
    chunks.forEach((chunk, index) => {
      const embedding = embeddings[index] ?? new Float32Array(0);
      const { lastInsertRowid } = insertChunk.run(
        newChunkId(),
        vectorStoreId,
        fileId,
        firstOrdinal + index,
        chunk.text,
        Buffer.from(embedding.buffer, embedding.byteOffset, embedding.byteLength),
        model,
        chunk.index.title,
        chunk.index.headings,
      );
      insertIndex.run(
        lastInsertRowid,
        storeToken(vectorStoreId),
        chunk.index.title,
        chunk.index.headings,
        chunk.index.body,
      );
    });
  }

  private deleteChunks(vectorStoreId: string, fileId: string): void {
    this.database
      .prepare(
        'DELETE FROM kb_chunks_fts WHERE rowid IN (SELECT rowid FROM kb_chunks WHERE vector_store_id = ? AND file_id = ?)',
      )
      .run(vectorStoreId, fileId);
    this.database
      .prepare('DELETE FROM kb_chunks WHERE vector_store_id = ? AND file_id = ?')
      .run(vectorStoreId, fileId);
  }
}

/** The store id as one index token (the tokenizer would split `vs_…` at the underscore). */
export const storeToken = (vectorStoreId: string) => vectorStoreId.replace(/[^A-Za-z0-9]/g, '').toLowerCase();

const toStoredFile = (row: FileRow) => ({
  id: row.id,
  fileName: row.file_name,
  bytes: row.bytes,
  createdAt: row.created_at,
  purpose: row.purpose,
});

const withMeaningIndex = (file: KnowledgeFile, byFile: Map<string, MeaningIndex>): KnowledgeFile => ({
  ...file,
  meaningIndex: byFile.get(file.id) ?? { embeddedChunks: 0, totalChunks: 0 },
});

const toKnowledgeFile = (row: StoreFileRow): KnowledgeFile => ({
  id: row.file_id,
  vectorStoreId: row.vector_store_id,
  fileName: row.file_name,
  bytes: row.bytes,
  status: fileStatusSchema.catch('failed').parse(row.status),
  lastError: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
  chunkCount: row.chunk_count,
  createdAt: row.created_at,
});
