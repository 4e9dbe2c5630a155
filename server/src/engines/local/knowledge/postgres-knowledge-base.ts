import { join } from 'node:path';
import type { KnowledgeFile, VectorStoreSummary } from '@threadline/shared';
import type pg from 'pg';
import { actingUserId } from '../../../common/index.js';
import type { Config } from '../../../config.js';
import { AppError } from '../../../http/index.js';
import { inTransaction, openPostgres } from '../../../postgres/index.js';
import type { EngineSearchRequest, FileApi, StoredFile, UploadedFile, VectorStoreApi } from '../../engine.js';
import { createEmbedder, type Embedder, type EmbedderLogger } from './embed/embedder.js';
import type { AttachOptions, EngineKnowledge, VectorStoreInput } from './engine-knowledge.js';
import { DocumentReader } from './ingest/document-reader.js';
import { acceptedTypesText, defaultDocumentLimits, documentKind } from './ingest/parse-document.js';
import { SharedIngestion } from './ingest/shared-ingestion.js';
import { newKnowledgeId, toSearchHit, validateChunking } from './knowledge-base.js';
import type {
  ChunkingStrategy,
  FileAttributes,
  FileBatchRecord,
  VectorStoreRecord,
} from './knowledge-store.js';
import { PostgresKnowledge } from './postgres-knowledge.js';
import { PostgresKnowledgeRecords, toKnowledgeFileOf } from './postgres-knowledge-records.js';
import type { SearchResult } from './search/hybrid-search.js';
import { createPassageSimilarity } from './search/passage-similarity.js';
import { createPostgresTermStatistics } from './search/postgres-term-statistics.js';
import { createTextVectorCache } from './search/text-vector-cache.js';
import { weightedText } from './search/weighted-query.js';

export type PostgresKnowledgeBaseOptions = {
  /** ENGINE_DATABASE_URL: the database every instance shares. */
  connectionString: string;
  /** This instance's own files: the embedding model, the reader's scratch copies. */
  dataDir: string;
  config: Config;
  fetch?: typeof fetch;
  logger?: EmbedderLogger;
  embedder?: Embedder;
  /** How long an ingestion job is an instance's without renewal (default 60 s). */
  jobLeaseMs?: number;
};

export type PostgresKnowledgeBase = Awaited<ReturnType<typeof createPostgresKnowledgeBase>>;

/** How often a wait for ingestion looks at the shared status (any instance may finish a file). */
const statusPollMs = 50;

/**
 * The knowledge base in the shared PostgreSQL database (ENGINE_DATABASE_URL): stores, files and
 * their bytes, chunks and vectors are the same on every instance, and ingestion is shared work
 * (SharedIngestion): a file `completed` on one is searchable on all, by keywords and meaning at
 * once. Search is PostgresKnowledge's: full text + HNSW fused by weighted RRF in SQL.
 */
export async function createPostgresKnowledgeBase(options: PostgresKnowledgeBaseOptions) {
  const { config } = options;
  const pool: pg.Pool = openPostgres(options.connectionString);
  let knowledge: PostgresKnowledge;
  try {
    knowledge = await PostgresKnowledge.open(pool);
  } catch (error) {
    await pool.end();
    throw error;
  }
  // Row-level security does not bind a superuser or a BYPASSRLS role: ownership would then rest
  // on the queries' own filters alone. Said at start, so an operator can give the app its own role.
  const role = await pool.query<{ bypasses: boolean }>(
    'SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user',
  );
  if (role.rows[0]?.bypasses)
    options.logger?.warn(
      {},
      'ENGINE_DATABASE_URL connects as a superuser or BYPASSRLS role: the database does not enforce who owns which row; connect as a role of its own (docs/deployment.md)',
    );
  const embedder =
    options.embedder ??
    createEmbedder(config, { dataDir: options.dataDir, fetch: options.fetch, logger: options.logger });
  const records = new PostgresKnowledgeRecords(pool, () => embedder.current()?.model ?? null);
  const textVectors = createTextVectorCache();
  const termStatistics = createPostgresTermStatistics(pool);
  const reader = new DocumentReader({
    timeoutMs: config.INGEST_TIMEOUT_MS,
    maxMemoryMb: config.INGEST_MAX_MEMORY_MB,
    limits: defaultDocumentLimits,
  });
  const ingestion = new SharedIngestion({
    knowledge,
    pool,
    embedder,
    reader,
    workDir: join(options.dataDir, 'ingesting'),
    ...(options.jobLeaseMs === undefined ? {} : { leaseMs: options.jobLeaseMs }),
  });
  /** Attributes of files this instance's searches returned (attributesOf answers from it). */
  const attributesSeen = new Map<string, Map<string, FileAttributes>>();
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
    return inTransaction(pool, (client) =>
      records.insertFile(client, {
        id: newKnowledgeId('file-'),
        fileName: file.fileName,
        bytes: file.bytes,
        purpose,
        contentType: file.contentType,
      }),
    );
  }

  async function requireStore(vectorStoreId: string): Promise<VectorStoreRecord> {
    const record = await records.getVectorStore(vectorStoreId);
    if (!record) throw new AppError('not_found', 404, `No vector store found with id '${vectorStoreId}'.`);
    return record;
  }

  async function attachFile(
    vectorStoreId: string,
    fileId: string,
    attach: AttachOptions = {},
  ): Promise<KnowledgeFile> {
    await requireStore(vectorStoreId);
    if (!(await records.getFile(fileId)))
      throw new AppError('not_found', 404, `No file found with id '${fileId}'.`);
    if (attach.chunking) validateChunking(attach.chunking);
    await inTransaction(pool, (client) => records.attach(client, vectorStoreId, fileId, attach));
    ingestion.kick();
    const details = await records.getStoreFileDetails(vectorStoreId, fileId);
    if (!details) throw new AppError('not_found', 404, `No file found with id '${fileId}'.`);
    return toKnowledgeFileOf(details);
  }

  const vectorStores: VectorStoreApi & { createWith(input: VectorStoreInput): Promise<VectorStoreSummary> } =
    {
      create: (input) => vectorStores.createWith(input),
      async createWith(input) {
        const chunking = input.chunking ?? defaultChunking();
        validateChunking(chunking);
        const id = newKnowledgeId('vs_');
        await records.insertVectorStore({
          id,
          name: input.name,
          chunking,
          metadata: input.metadata ?? {},
          expiresAfter: input.expiresAfter ?? null,
        });
        const summary = await records.summary(id);
        if (!summary) throw new AppError('not_found', 404, `${id} was not found`);
        return summary;
      },
      async list() {
        const summaries = await Promise.all(
          (await records.listVectorStoreIds()).map((id) => records.summary(id)),
        );
        return summaries.filter((summary): summary is VectorStoreSummary => summary !== null);
      },
      get: (vectorStoreId) => records.summary(vectorStoreId),
      delete: (vectorStoreId) => records.deleteVectorStore(vectorStoreId),
      async addFile(vectorStoreId, file) {
        await requireStore(vectorStoreId);
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
      listFiles: async (vectorStoreId) =>
        (await records.listStoreFileDetails(vectorStoreId)).map(toKnowledgeFileOf),
      async getFile(vectorStoreId, fileId) {
        const details = await records.getStoreFileDetails(vectorStoreId, fileId);
        return details ? toKnowledgeFileOf(details) : null;
      },
      removeFile: (vectorStoreId, fileId) => records.detachFile(vectorStoreId, fileId),
      async search(vectorStoreIds, request) {
        return (await searchDetailed(vectorStoreIds, request)).map(toSearchHit);
      },
    };

  // last_active_at needs minute precision, not a database write per search.
  const lastTouched = new Map<string, number>();
  async function touch(vectorStoreIds: readonly string[]): Promise<void> {
    const now = Date.now();
    for (const id of vectorStoreIds) {
      if (now - (lastTouched.get(id) ?? 0) < 60_000) continue;
      lastTouched.set(id, now);
      await records.touchVectorStore(id);
    }
  }

  async function searchDetailed(
    vectorStoreIds: readonly string[],
    request: EngineSearchRequest,
  ): Promise<SearchResult[]> {
    const found = await Promise.all(vectorStoreIds.map((id) => records.getVectorStore(id)));
    const existing = vectorStoreIds.filter((_, index) => found[index] !== null);
    if (existing.length === 0) return [];
    await touch(existing);
    const model = embedder.current();
    const [queryVector] = await Promise.all([
      model
        ? textVectors
            .vectorsOf(model, [weightedText(request.query, request.emphasis)])
            .then(([vector]) => vector ?? null)
            .catch(() => null)
        : Promise.resolve(null),
      termStatistics.refresh(),
    ]);
    const results = await knowledge.search(actingUserId(), existing, {
      query: request.query,
      emphasis: request.emphasis,
      queryVector: queryVector ?? new Float32Array(0),
      queryModel: model?.model ?? '',
      maxNumResults: request.maxNumResults,
      scoreThreshold: request.scoreThreshold ?? config.RETRIEVAL_SCORE_THRESHOLD,
      keywordWeight: config.RETRIEVAL_KEYWORD_WEIGHT,
      vectorWeight: config.RETRIEVAL_VECTOR_WEIGHT ?? model?.vectorWeight ?? 0,
      bm25: termStatistics.bm25,
    });
    const fileIds = results.map((result) => result.fileId);
    const [attributes] = await Promise.all([
      records.attributesOf(existing, fileIds),
      termStatistics.loadFiles(fileIds),
    ]);
    for (const { vectorStoreId, fileId, attributes: fileAttributes } of attributes) {
      const byFile = attributesSeen.get(vectorStoreId) ?? new Map<string, FileAttributes>();
      attributesSeen.set(vectorStoreId, byFile.set(fileId, fileAttributes));
    }
    return results.map((result) => ({ ...result, rowid: 0 }));
  }

  const files: FileApi = {
    list: () => records.listFiles(),
    get: (fileId) => records.getFile(fileId),
    content: (fileId) => records.fileContent(fileId),
    delete: (fileId) => records.deleteFile(fileId),
  };

  async function createFileBatch(
    vectorStoreId: string,
    batchFiles: readonly ({ fileId: string } & AttachOptions)[],
  ): Promise<FileBatchRecord> {
    await requireStore(vectorStoreId);
    for (const file of batchFiles) {
      if (!(await records.getFile(file.fileId)))
        throw new AppError('not_found', 404, `No file found with id '${file.fileId}'.`);
    }
    const fileIds = [...new Set(batchFiles.map((file) => file.fileId))];
    for (const fileId of fileIds) {
      const attach: AttachOptions = batchFiles.find((file) => file.fileId === fileId) ?? {};
      await attachFile(vectorStoreId, fileId, { chunking: attach.chunking, attributes: attach.attributes });
    }
    return records.insertFileBatch({ id: newKnowledgeId('vsfb_'), vectorStoreId, fileIds });
  }

  /** Until no file of the store (of any store) is `in_progress`, whichever instance ingests it. */
  async function untilIngested(vectorStoreId: string | undefined): Promise<void> {
    while ((await records.countInProgress(vectorStoreId ?? null)) > 0)
      await new Promise((resolve) => setTimeout(resolve, statusPollMs));
  }

  return {
    vectorStores,
    files,
    uploadFile,
    attachFile,
    createFileBatch,
    searchDetailed,
    fileRecord: (fileId: string) => records.getFile(fileId),
    storeFileDetails: (vectorStoreId: string, fileId: string) =>
      records.getStoreFileDetails(vectorStoreId, fileId),
    listStoreFiles: async (vectorStoreId: string) =>
      (await records.listStoreFileDetails(vectorStoreId)).map(toKnowledgeFileOf),
    vectorStoreRecord: (vectorStoreId: string) => records.getVectorStore(vectorStoreId),
    vectorStoreSummary: (vectorStoreId: string) => records.summary(vectorStoreId),
    listVectorStoreIds: () => records.listVectorStoreIds(),
    updateVectorStore: (vectorStoreId: string, input: Parameters<EngineKnowledge['updateVectorStore']>[1]) =>
      records.updateVectorStore(vectorStoreId, input),
    fileBatch: (vectorStoreId: string, batchId: string) => records.getFileBatch(vectorStoreId, batchId),
    attributesOf(vectorStoreIds: readonly string[], fileId: string) {
      for (const vectorStoreId of vectorStoreIds) {
        const seen = attributesSeen.get(vectorStoreId)?.get(fileId);
        if (seen) return seen;
      }
      return null;
    },
    termStatistics,
    passageSimilarity: createPassageSimilarity(embedder, textVectors),
    textVectors,
    adoptOwners: (ownerOf: (kind: 'vector_store' | 'file', id: string) => Promise<string | null>) =>
      knowledge.adoptOwners(ownerOf),
    /** PostgresKnowledge itself (search, the job queue), for tests and benchmarks. */
    knowledge,
    pool,
    maxUploadBytes: config.MAX_UPLOAD_BYTES,
    defaultChunking,
    get embeddingModel() {
      return embedder.current()?.model ?? null;
    },
    embedderReady: () => embedder.ready,
    /** Jobs this instance took from the shared queue (every file it read counts once). */
    ingestionCounts: () => ({ read: ingestion.jobsTaken, reused: 0, jobsTaken: ingestion.jobsTaken }),
    waitForIngestion: untilIngested,
    waitUntilSearchable: untilIngested,
    waitForAttachments: (vectorStoreId: string) => untilIngested(vectorStoreId),
    async close() {
      await ingestion.stop();
      await reader.close();
      if (!options.embedder) await embedder.close();
      await pool.end();
    },
  } satisfies EngineKnowledge & Record<string, unknown>;
}
