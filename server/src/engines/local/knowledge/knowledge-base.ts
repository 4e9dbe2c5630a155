import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { KnowledgeFile, SearchHit, VectorStoreSummary } from '@threadline/shared';
import type { Config } from '../../../config.js';
import type { SqliteDatabase } from '../../../sqlite/index.js';
import { AppError } from '../../../http/index.js';
import type { EngineSearchRequest, FileApi, StoredFile, UploadedFile, VectorStoreApi } from '../../engine.js';
import { createEmbedder, type Embedder, type EmbedderLogger } from './embed/embedder.js';
import { createPassageSimilarity } from './search/passage-similarity.js';
import { createTextVectorCache } from './search/text-vector-cache.js';
import { createTermStatistics } from './search/term-statistics.js';
import { hybridSearch, type SearchResult } from './search/hybrid-search.js';
import { warmUpSearch } from './search/search-warm-up.js';
import { weightedText } from './search/weighted-query.js';
import { IngestionQueue } from './ingest/ingestion-queue.js';
import { migrateKnowledgeBase } from './knowledge-schema.js';
import { DocumentReader } from './ingest/document-reader.js';
import { acceptedTypesText, defaultDocumentLimits, documentKind } from './ingest/parse-document.js';
import {
  KnowledgeStore,
  type ChunkingStrategy,
  type FileBatchRecord,
  type VectorStoreRecord,
} from './knowledge-store.js';
import type { AttachOptions, EngineKnowledge, VectorStoreInput } from './engine-knowledge.js';
import { VectorCache } from './embed/vector-cache.js';

export type {
  ChunkingStrategy,
  ExpiresAfter,
  FileAttributes,
  FileBatchRecord,
  StoreFileDetails,
  VectorStoreRecord,
} from './knowledge-store.js';
export type { SearchResult } from './search/hybrid-search.js';

export type KnowledgeBaseOptions = {
  database: SqliteDatabase;
  dataDir: string;
  config: Config;
  fetch?: typeof fetch;
  logger?: EmbedderLogger;
  /** An embedder to use instead of the configured one (tests and benchmarks share one model). */
  embedder?: Embedder;
};

/** The embedded knowledge base: EngineKnowledge plus its SQLite store, for tests and benchmarks. */
export type KnowledgeBase = ReturnType<typeof createKnowledgeBase>;

export const newKnowledgeId = (prefix: string) =>
  `${prefix}${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x')}`;

/**
 * The local engine's knowledge base: stored files, vector stores, asynchronous ingestion
 * (parse → chunk → keyword index + vectors) and hybrid retrieval, all in the shared SQLite file.
 */
export function createKnowledgeBase(options: KnowledgeBaseOptions) {
  // The app calls it through EngineKnowledge; its SQLite extras are for tests and benchmarks.
  return buildKnowledgeBase(options) satisfies EngineKnowledge;
}

function buildKnowledgeBase(options: KnowledgeBaseOptions) {
  const { database, config } = options;
  migrateKnowledgeBase(database);
  const filesDir = join(options.dataDir, 'files');
  mkdirSync(filesDir, { recursive: true });
  const embedder =
    options.embedder ??
    createEmbedder(config, { dataDir: options.dataDir, fetch: options.fetch, logger: options.logger });
  const store = new KnowledgeStore(database, () => embedder.current()?.model ?? null);
  const vectors = new VectorCache(database);
  const textVectors = createTextVectorCache();
  const bytesPath = (fileId: string) => join(filesDir, fileId);
  const queue = new IngestionQueue({
    store,
    vectors,
    embedder,
    reader: new DocumentReader({
      timeoutMs: config.INGEST_TIMEOUT_MS,
      maxMemoryMb: config.INGEST_MAX_MEMORY_MB,
      limits: defaultDocumentLimits,
    }),
    filePath: bytesPath,
  });
  const defaultChunking = (): ChunkingStrategy => ({
    maxChunkSizeTokens: config.CHUNK_SIZE_TOKENS,
    chunkOverlapTokens: config.CHUNK_OVERLAP_TOKENS,
  });

  async function uploadFile(file: UploadedFile, purpose: string): Promise<StoredFile> {
    if (file.bytes.length > config.MAX_UPLOAD_BYTES) {
      throw new AppError(
        'payload_too_large',
        413,
        `"${file.fileName}" is ${file.bytes.length} bytes; the limit is ${config.MAX_UPLOAD_BYTES} bytes`,
      );
    }
    const id = newKnowledgeId('file-');
    await writeFile(bytesPath(id), file.bytes);
    return store.insertFile({
      id,
      fileName: file.fileName,
      bytes: file.bytes.length,
      purpose,
      contentType: file.contentType,
    });
  }

  function requireStore(vectorStoreId: string): VectorStoreRecord {
    const record = store.getVectorStore(vectorStoreId);
    if (!record) throw new AppError('not_found', 404, `No vector store found with id '${vectorStoreId}'.`);
    return record;
  }

  /** Attaches a stored file to a store and queues its ingestion; re-attaching re-ingests. */
  async function attachFile(
    vectorStoreId: string,
    fileId: string,
    options: AttachOptions = {},
  ): Promise<KnowledgeFile> {
    requireStore(vectorStoreId);
    if (!store.getFile(fileId)) throw new AppError('not_found', 404, `No file found with id '${fileId}'.`);
    if (options.chunking) validateChunking(options.chunking);
    store.upsertStoreFile(vectorStoreId, fileId, options);
    vectors.invalidate(vectorStoreId);
    queue.enqueue(vectorStoreId, fileId, 'ingest', { isUrgent: options.isUrgent === true });
    return store.getKnowledgeFile(vectorStoreId, fileId) ?? failMissing(fileId);
  }

  const vectorStores: VectorStoreApi & {
    createWith(input: VectorStoreInput): Promise<VectorStoreSummary>;
  } = {
    create: (input) => vectorStores.createWith(input),
    async createWith(input) {
      const chunking = input.chunking ?? defaultChunking();
      validateChunking(chunking);
      const id = newKnowledgeId('vs_');
      store.insertVectorStore({
        id,
        name: input.name,
        chunking,
        metadata: input.metadata ?? {},
        expiresAfter: input.expiresAfter ?? null,
      });
      return store.summary(id) ?? failMissing(id);
    },
    list: () =>
      Promise.resolve(
        store
          .listVectorStoreIds()
          .map((id) => store.summary(id))
          .filter(isPresent),
      ),
    get: (vectorStoreId) => Promise.resolve(store.summary(vectorStoreId)),
    delete(vectorStoreId) {
      const isDeleted = store.deleteVectorStore(vectorStoreId);
      vectors.invalidate(vectorStoreId);
      return Promise.resolve(isDeleted);
    },
    async addFile(vectorStoreId, file) {
      requireStore(vectorStoreId);
      if (documentKind(file.fileName) === null) {
        throw new AppError(
          'unsupported_media_type',
          415,
          `"${file.fileName}" is not a supported file type; accepted: ${acceptedTypesText}`,
        );
      }
      const stored = await uploadFile(file, 'assistants');
      return attachFile(vectorStoreId, stored.id);
    },
    listFiles: (vectorStoreId) => Promise.resolve(store.listKnowledgeFiles(vectorStoreId)),
    getFile: (vectorStoreId, fileId) => Promise.resolve(store.getKnowledgeFile(vectorStoreId, fileId)),
    removeFile(vectorStoreId, fileId) {
      const isRemoved = store.detachFile(vectorStoreId, fileId);
      vectors.invalidate(vectorStoreId);
      return Promise.resolve(isRemoved);
    },
    async search(vectorStoreIds, request) {
      return (await searchDetailed(vectorStoreIds, request)).map(toSearchHit);
    },
  };

  // last_active_at needs minute precision, not a database write per search.
  const lastTouched = new Map<string, number>();
  function touch(vectorStoreIds: readonly string[]): void {
    const now = Date.now();
    for (const id of vectorStoreIds) {
      if (now - (lastTouched.get(id) ?? 0) < 60_000) continue;
      lastTouched.set(id, now);
      store.touchVectorStore(id);
    }
  }

  async function searchDetailed(
    vectorStoreIds: readonly string[],
    request: EngineSearchRequest,
  ): Promise<SearchResult[]> {
    const existing = vectorStoreIds.filter((id) => store.getVectorStore(id) !== null);
    if (existing.length === 0) return [];
    touch(existing);
    return searchStores(existing, request);
  }

  /** The search itself, without marking the stores active (the start-up warm-up uses it too). */
  async function searchStores(
    existing: readonly string[],
    request: EngineSearchRequest,
  ): Promise<SearchResult[]> {
    // A model still loading (or a failed endpoint) leaves the search to its keywords.
    const model = embedder.current();
    const queryVector = model
      ? await textVectors
          .vectorsOf(model, [weightedText(request.query, request.emphasis)])
          .then(([vector]) => vector ?? null)
          .catch(() => null)
      : null;
    return hybridSearch(database, vectors, {
      vectorStoreIds: existing,
      query: request.query,
      emphasis: request.emphasis,
      queryVector: queryVector ?? new Float32Array(0),
      queryModel: model?.model,
      maxNumResults: request.maxNumResults,
      scoreThreshold: request.scoreThreshold ?? config.RETRIEVAL_SCORE_THRESHOLD,
      keywordWeight: config.RETRIEVAL_KEYWORD_WEIGHT,
      vectorWeight: config.RETRIEVAL_VECTOR_WEIGHT ?? model?.vectorWeight ?? 0,
    });
  }

  const files: FileApi = {
    list: () => Promise.resolve(store.listFiles()),
    get: (fileId) => Promise.resolve(store.getFile(fileId)),
    async content(fileId) {
      if (!store.getFile(fileId)) return null;
      return readFile(bytesPath(fileId)).catch(() => null);
    },
    async delete(fileId) {
      const storeIds = store.storesOfFile(fileId);
      const isDeleted = store.deleteFile(fileId);
      for (const id of storeIds) vectors.invalidate(id);
      if (isDeleted) await rm(bytesPath(fileId), { force: true });
      return isDeleted;
    },
  };

  /** A file batch: attaches every file, then reports their combined status (OpenAI's files_batch). */
  /** Each file with its own chunking and attributes (OpenAI's `files`), or one set for all. */
  async function createFileBatch(
    vectorStoreId: string,
    batchFiles: readonly ({ fileId: string } & AttachOptions)[],
  ): Promise<FileBatchRecord> {
    requireStore(vectorStoreId);
    const missing = batchFiles.find((file) => !store.getFile(file.fileId));
    if (missing !== undefined)
      throw new AppError('not_found', 404, `No file found with id '${missing.fileId}'.`);
    const fileIds = [...new Set(batchFiles.map((file) => file.fileId))];
    for (const fileId of fileIds) {
      const options: AttachOptions = batchFiles.find((file) => file.fileId === fileId) ?? {};
      await attachFile(vectorStoreId, fileId, { chunking: options.chunking, attributes: options.attributes });
    }
    return store.insertFileBatch({ id: newKnowledgeId('vsfb_'), vectorStoreId, fileIds });
  }

  queue.resumeInterrupted();
  // In the background: files keep their keyword search until their turn comes.
  const reembedding = queue.reembedStale();
  let isClosed = false;
  // Once the model is ready, each store there was at start is searched once in the background
  // (search-warm-up.ts), so the first question after a start does not load its vectors. Not with
  // an embeddings endpoint: its query vector would be a request to someone's (paid) API per start.
  const storesAtStart = store.listVectorStoreIdsByActivity();
  const warmedUp = embedder.ready
    .then((model) =>
      warmUpSearch({
        vectorStoreIds: model.isRemote === true ? [] : storesAtStart,
        warm: async (vectorStoreId) => {
          await searchStores([vectorStoreId], { query: 'how do I configure it', maxNumResults: 20 });
          return vectors.heldVectors;
        },
        isStopped: () => isClosed,
      }),
    )
    .catch(() => [] as string[]);

  return {
    vectorStores,
    files,
    uploadFile,
    attachFile,
    createFileBatch,
    searchDetailed,
    fileRecord: (fileId: string) => Promise.resolve(store.getFile(fileId)),
    storeFileDetails: (vectorStoreId: string, fileId: string) =>
      Promise.resolve(store.getStoreFileDetails(vectorStoreId, fileId)),
    listStoreFiles: (vectorStoreId: string) => Promise.resolve(store.listKnowledgeFiles(vectorStoreId)),
    vectorStoreRecord: (vectorStoreId: string) => Promise.resolve(store.getVectorStore(vectorStoreId)),
    vectorStoreSummary: (vectorStoreId: string) => Promise.resolve(store.summary(vectorStoreId)),
    listVectorStoreIds: () => Promise.resolve(store.listVectorStoreIds()),
    updateVectorStore(vectorStoreId: string, input: Parameters<EngineKnowledge['updateVectorStore']>[1]) {
      store.updateVectorStore(vectorStoreId, input);
      return Promise.resolve();
    },
    fileBatch: (vectorStoreId: string, batchId: string) =>
      Promise.resolve(store.getFileBatch(vectorStoreId, batchId)),
    attributesOf(vectorStoreIds: readonly string[], fileId: string) {
      for (const vectorStoreId of vectorStoreIds) {
        const details = store.getStoreFileDetails(vectorStoreId, fileId);
        if (details) return details.attributes;
      }
      return null;
    },
    termStatistics: createTermStatistics(database),
    passageSimilarity: createPassageSimilarity(embedder, textVectors),
    /** Query and passage vectors by model and text (how many texts reached the model, for tests and benchmarks). */
    textVectors,
    store,
    database,
    vectors,
    /** The model new vectors are in, once it is ready (null while the model loads). */
    get embeddingModel() {
      return embedder.current()?.model ?? null;
    },
    embedderReady: () => embedder.ready,
    /** Files read (parsed, chunked, embedded) and files filled from an identical one, since start. */
    ingestionCounts: () => ({ ...queue.counts }),
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    defaultChunking,
    async waitForIngestion(vectorStoreId?: string) {
      await reembedding;
      await queue.idle(vectorStoreId);
    },
    /** Until the store's files are `completed` (keyword-searchable); their vectors may still come. */
    async waitUntilSearchable(vectorStoreId?: string) {
      await queue.idle(vectorStoreId, 'searchable');
    },
    /**
     * Until the store's urgent files (a message's attachments) are searchable: a run waits for
     * these, not for a large batch someone is loading into a store it also searches.
     */
    async waitForAttachments(vectorStoreId: string) {
      await queue.idle(vectorStoreId, 'attachments');
    },
    /** The stores searched once after start-up (search-warm-up.ts), for tests. */
    warmedUp,
    async close() {
      isClosed = true;
      await queue.stop();
      // An injected embedder belongs to whoever made it.
      if (!options.embedder) await embedder.close();
    },
  };
}

export function validateChunking(chunking: ChunkingStrategy): void {
  const { maxChunkSizeTokens: size, chunkOverlapTokens: overlap } = chunking;
  if (!Number.isInteger(size) || size < 100 || size > 4096) {
    throw new AppError('validation_failed', 400, 'max_chunk_size_tokens must be an integer from 100 to 4096');
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap * 2 > size) {
    throw new AppError(
      'validation_failed',
      400,
      'chunk_overlap_tokens must be an integer from 0 to half of max_chunk_size_tokens',
    );
  }
}

export const toSearchHit = (result: SearchResult): SearchHit => ({
  fileId: result.fileId,
  fileName: result.fileName,
  chunkId: result.chunkId,
  score: result.score,
  text: result.text,
  keywordRank: result.keywordRank,
  vectorRank: result.vectorRank,
});

const isPresent = <T>(value: T | null): value is T => value !== null;

function failMissing(id: string): never {
  throw new AppError('not_found', 404, `${id} was not found`);
}
