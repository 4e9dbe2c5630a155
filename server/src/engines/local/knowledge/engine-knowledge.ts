import type { KnowledgeFile, VectorStoreSummary } from '@threadline/shared';
import type { PassageSimilarity } from '../answer/answer-evidence.js';
import type { EngineSearchRequest, FileApi, StoredFile, UploadedFile, VectorStoreApi } from '../../engine.js';
import type {
  ChunkingStrategy,
  ExpiresAfter,
  FileAttributes,
  FileBatchRecord,
  StoreFileDetails,
  VectorStoreRecord,
} from './knowledge-store.js';
import type { SearchResult } from './search/hybrid-search.js';
import type { TermStatistics } from './search/term-statistics.js';

export type AttachOptions = {
  chunking?: ChunkingStrategy | undefined;
  attributes?: FileAttributes | undefined;
  /** Ingested before queued files that are not (a message's attachment, which a run waits for). */
  isUrgent?: boolean;
};

export type VectorStoreInput = {
  name: string;
  chunking?: ChunkingStrategy | undefined;
  metadata?: Record<string, string> | undefined;
  expiresAfter?: ExpiresAfter | null | undefined;
};

/** Files taken by this instance: read (parsed, chunked, embedded) or filled from an identical one. */
export type IngestionCounts = {
  read: number;
  reused: number;
  /** Jobs this instance took from the shared queue (PostgreSQL only). */
  jobsTaken?: number;
};

/**
 * The local engine's knowledge base behind one asynchronous interface, as EngineState is for
 * threads and runs: the embedded SQLite file (`createKnowledgeBase`, one process) or the shared
 * PostgreSQL database (`createPostgresKnowledgeBase`, every instance). What the app, the /v1
 * routes and the answerer call; the backends' own extras (the SQLite store, its vector cache)
 * stay on their own types.
 */
export interface EngineKnowledge {
  readonly vectorStores: VectorStoreApi & {
    createWith(input: VectorStoreInput): Promise<VectorStoreSummary>;
  };
  readonly files: FileApi;
  uploadFile(file: UploadedFile, purpose: string): Promise<StoredFile>;
  /** Attaches a stored file to a store and queues its ingestion; re-attaching re-ingests. */
  attachFile(vectorStoreId: string, fileId: string, options?: AttachOptions): Promise<KnowledgeFile>;
  createFileBatch(
    vectorStoreId: string,
    batchFiles: readonly ({ fileId: string } & AttachOptions)[],
  ): Promise<FileBatchRecord>;
  searchDetailed(vectorStoreIds: readonly string[], request: EngineSearchRequest): Promise<SearchResult[]>;
  /** A stored file with its purpose (OpenAI's File object), or null. */
  fileRecord(fileId: string): Promise<(StoredFile & { purpose: string }) | null>;
  /** A store's file with its chunking and attributes (OpenAI's vector store file), or null. */
  storeFileDetails(vectorStoreId: string, fileId: string): Promise<StoreFileDetails | null>;
  /** The files of a store, as the knowledge API lists them. */
  listStoreFiles(vectorStoreId: string): Promise<KnowledgeFile[]>;
  vectorStoreRecord(vectorStoreId: string): Promise<VectorStoreRecord | null>;
  vectorStoreSummary(vectorStoreId: string): Promise<VectorStoreSummary | null>;
  listVectorStoreIds(): Promise<string[]>;
  updateVectorStore(
    vectorStoreId: string,
    input: { name?: string; metadata?: Record<string, string>; expiresAfter?: ExpiresAfter | null },
  ): Promise<void>;
  fileBatch(vectorStoreId: string, batchId: string): Promise<FileBatchRecord | null>;
  /**
   * The attributes of a file in the first of the stores holding it, or null: synchronous, as the
   * Responses event mapper asks while it writes. PostgreSQL answers from the attributes loaded
   * with this instance's search hits (the only files a file_search result names).
   */
  attributesOf(vectorStoreIds: readonly string[], fileId: string): FileAttributes | null;
  readonly termStatistics: TermStatistics;
  readonly passageSimilarity: PassageSimilarity;
  readonly maxUploadBytes: number;
  defaultChunking(): ChunkingStrategy;
  /** The model new vectors are in, once it is ready (null while the model loads). */
  readonly embeddingModel: string | null;
  embedderReady(): Promise<unknown>;
  ingestionCounts(): IngestionCounts;
  waitForIngestion(vectorStoreId?: string): Promise<void>;
  /** Until the store's files are `completed` (keyword-searchable); their vectors may still come. */
  waitUntilSearchable(vectorStoreId?: string): Promise<void>;
  /** Until the store's urgent files (a message's attachments) are searchable. */
  waitForAttachments(vectorStoreId: string): Promise<void>;
  /**
   * PostgreSQL: gives rows no user owns yet their owner from the app's ownership records (see
   * PostgresKnowledge.adoptOwners); how many stores and files it gave. The embedded file needs none.
   */
  adoptOwners?(
    ownerOf: (kind: 'vector_store' | 'file', id: string) => Promise<string | null>,
  ): Promise<number>;
  close(): Promise<void>;
}
