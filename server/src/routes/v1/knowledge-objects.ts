import type {
  v1ChunkingStrategyRequestSchema,
  V1FileBatch,
  V1FileObject,
  V1VectorStore,
  V1VectorStoreFile,
  VectorStoreSummary,
} from '@threadline/shared';
import type { z } from 'zod';
import type { StoredFile } from '../../engines/index.js';
import type {
  ChunkingStrategy,
  FileBatchRecord,
  EngineKnowledge,
  StoreFileDetails,
  VectorStoreRecord,
} from '../../engines/index.js';
import { cursorPage } from '../../engines/index.js';
import { AppError } from '../../http/index.js';
import { listEnvelope } from '../../engines/index.js';
import type { Ownership } from '../../ownership/index.js';

/** Options of the /v1 files and vector-store plugins: the local engine, or its knowledge base directly. */
export type V1KnowledgeOptions = {
  engine?: { knowledge: EngineKnowledge } | undefined;
  knowledge?: EngineKnowledge | undefined;
  /** Who owns each store and file: lists show the caller's own, creations are recorded. */
  ownership: Pick<Ownership, 'record' | 'forget' | 'visible'>;
};

export function knowledgeFrom(options: V1KnowledgeOptions): EngineKnowledge {
  const knowledge = options.knowledge ?? options.engine?.knowledge;
  if (!knowledge) throw new Error('the /v1 files and vector-store routes need { engine } or { knowledge }');
  return knowledge;
}

type ChunkingRequest = z.infer<typeof v1ChunkingStrategyRequestSchema> | undefined;
/** `auto` (or nothing) leaves the knowledge base's default chunking. */
export const toChunking = (request: ChunkingRequest): ChunkingStrategy | undefined =>
  request?.type === 'static'
    ? {
        maxChunkSizeTokens: request.static.max_chunk_size_tokens,
        chunkOverlapTokens: request.static.chunk_overlap_tokens,
      }
    : undefined;

export const toUnixSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const dayMs = 86_400_000;

/**
 * SDK pollers (createAndPoll, uploadAndPoll, file_batches.poll) honour this header instead of
 * waiting their default (1 s for files, 5 s for runs), as they did against OpenAI.
 */
export const pollHeader = { 'openai-poll-after-ms': '100' };

export const toV1File = (file: StoredFile & { purpose: string }): V1FileObject => ({
  id: file.id,
  object: 'file',
  bytes: file.bytes,
  created_at: toUnixSeconds(file.createdAt),
  filename: file.fileName,
  purpose: file.purpose,
  status: 'processed',
  status_details: null,
  expires_at: null,
});

export function toV1VectorStore(record: VectorStoreRecord, summary: VectorStoreSummary): V1VectorStore {
  const lastActive = record.lastActiveAt ?? record.createdAt;
  const expiresAt = record.expiresAfter ? Date.parse(lastActive) + record.expiresAfter.days * dayMs : null;
  return {
    id: record.id,
    object: 'vector_store',
    created_at: toUnixSeconds(record.createdAt),
    name: record.name,
    usage_bytes: summary.usageBytes,
    file_counts: summary.fileCounts,
    status: summary.fileCounts.in_progress > 0 ? 'in_progress' : 'completed',
    expires_after: record.expiresAfter,
    expires_at: expiresAt === null ? null : Math.floor(expiresAt / 1000),
    last_active_at: toUnixSeconds(lastActive),
    metadata: record.metadata,
  };
}

export const toV1VectorStoreFile = (file: StoreFileDetails): V1VectorStoreFile => ({
  id: file.id,
  object: 'vector_store.file',
  usage_bytes: file.usageBytes,
  created_at: toUnixSeconds(file.createdAt),
  vector_store_id: file.vectorStoreId,
  status: file.status,
  last_error: file.lastError,
  chunking_strategy: {
    type: 'static',
    static: {
      max_chunk_size_tokens: file.chunking.maxChunkSizeTokens,
      chunk_overlap_tokens: file.chunking.chunkOverlapTokens,
    },
  },
  attributes: file.attributes,
});

export function toV1FileBatch(batch: FileBatchRecord, files: readonly StoreFileDetails[]): V1FileBatch {
  const counts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: files.length };
  for (const file of files) counts[file.status] += 1;
  const status =
    counts.in_progress > 0
      ? 'in_progress'
      : counts.failed > 0 && counts.completed === 0
        ? 'failed'
        : 'completed';
  return {
    id: batch.id,
    object: 'vector_store.files_batch',
    created_at: toUnixSeconds(batch.createdAt),
    vector_store_id: batch.vectorStoreId,
    status,
    file_counts: counts,
  };
}

export type CursorQuery = {
  limit: number;
  order: 'asc' | 'desc';
  after?: string | undefined;
  before?: string | undefined;
};

/** OpenAI's cursor list over an in-memory, oldest-first list; an unknown cursor is a 400. */
export function paginate<T extends { id: string }>(oldestFirst: readonly T[], query: CursorQuery) {
  for (const [name, cursor] of [
    ['after', query.after],
    ['before', query.before],
  ] as const) {
    if (cursor !== undefined && !oldestFirst.some((item) => item.id === cursor))
      throw new AppError('bad_request', 400, `Invalid '${name}' cursor: no object with id '${cursor}'.`);
  }
  return listEnvelope(cursorPage(oldestFirst, query));
}
