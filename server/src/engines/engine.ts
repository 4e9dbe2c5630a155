import type {
  AssistantStreamEvent,
  KnowledgeFile,
  Message,
  ModelInfo,
  SearchHit,
  SearchRequest,
  Thread,
  Tool,
  VectorStoreSummary,
} from '@threadline/shared';

export type EngineName = 'local' | 'openai' | 'assistants';

export type RunOptions = {
  model?: string | undefined;
  instructions?: string | undefined;
  /** Vector stores searched by file_search; defaults to the thread's own. */
  vectorStoreIds?: string[] | undefined;
  /** Extra function tools; file_search is always on. */
  tools?: Tool[] | undefined;
  maxNumResults?: number | undefined;
  scoreThreshold?: number | undefined;
};

export type ToolOutput = { tool_call_id: string; output: string };

export type UploadedFile = { fileName: string; bytes: Buffer; contentType?: string | undefined };

export type StoredFile = { id: string; fileName: string; bytes: number; createdAt: string };

export interface VectorStoreApi {
  create(input: { name: string }): Promise<VectorStoreSummary>;
  list(): Promise<VectorStoreSummary[]>;
  get(vectorStoreId: string): Promise<VectorStoreSummary | null>;
  delete(vectorStoreId: string): Promise<boolean>;
  /** Stores the file and starts ingestion; the returned status is usually `in_progress`. */
  addFile(vectorStoreId: string, file: UploadedFile): Promise<KnowledgeFile>;
  listFiles(vectorStoreId: string): Promise<KnowledgeFile[]>;
  getFile(vectorStoreId: string, fileId: string): Promise<KnowledgeFile | null>;
  removeFile(vectorStoreId: string, fileId: string): Promise<boolean>;
  search(vectorStoreIds: string[], request: EngineSearchRequest): Promise<SearchHit[]>;
}

/** Words a search weighs above the rest of its query (a follow-up's own words), and how much. */
export type SearchEmphasis = { text: string; weight: number };

/**
 * A search as the engines run it: the wire request, and words it weighs more than the rest of
 * the query. The weight stays out of `query`, so the query shown is the one the person wrote.
 */
export type EngineSearchRequest = SearchRequest & { emphasis?: SearchEmphasis | undefined };

export interface FileApi {
  list(): Promise<StoredFile[]>;
  get(fileId: string): Promise<StoredFile | null>;
  content(fileId: string): Promise<Buffer | null>;
  delete(fileId: string): Promise<boolean>;
}

/**
 * What the orchestrator needs from an engine. Stream methods yield Assistants events in
 * OpenAI's order (`created` before any `delta`), end after the run is terminal, and never
 * yield `done` (framing adds it). When `signal` aborts, the engine cancels the run, yields
 * the cancellation events (`thread.message.incomplete`, `thread.run.cancelled`) and ends.
 */
export interface Engine {
  readonly name: EngineName;
  /**
   * Which objects the engine holds, for what is kept about them outside it (their owners): two
   * engines with one identity see the same threads and stores. Local: `local:` and an id made
   * once per database; upstream: the engine's name and its base URL (credentials left out).
   */
  readonly identity: string;
  createThread(input: {
    vectorStoreIds?: string[] | undefined;
    metadata?: Record<string, string>;
  }): Promise<Thread>;
  getThread(threadId: string): Promise<Thread | null>;
  deleteThread(threadId: string): Promise<boolean>;
  /** Cancels every non-terminal run on the thread and resolves once all are terminal. */
  cancelActiveRuns(threadId: string, signal?: AbortSignal): Promise<void>;
  appendMessage(
    threadId: string,
    input: { content: string; metadata?: Record<string, string> },
  ): Promise<Message>;
  streamRun(threadId: string, options: RunOptions, signal: AbortSignal): AsyncIterable<AssistantStreamEvent>;
  submitToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent>;
  listMessages(threadId: string, options?: { limit?: number; order?: 'asc' | 'desc' }): Promise<Message[]>;
  listModels(): Promise<ModelInfo[]>;
  health(): Promise<{ reachable: boolean; detail?: string }>;
  readonly vectorStores: VectorStoreApi;
  readonly files: FileApi;
  close(): Promise<void>;
}
