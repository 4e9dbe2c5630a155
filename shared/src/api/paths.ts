/**
 * Every HTTP path of Threadline's own API and of the legacy routes, in one place: the server
 * registers these and the web client's config module builds its URLs from them.
 */
export const apiPaths = {
  chatStream: '/chat/stream',
  chatToolOutputs: '/chat/tool-outputs',
  models: '/models',
  speech: '/speech',
  health: '/health',
  threads: '/threads',
  thread: (threadId: string) => `/threads/${encodeURIComponent(threadId)}`,
  threadMessages: (threadId: string) => `/threads/${encodeURIComponent(threadId)}/messages`,
  /** Follows the thread's run: replays after a cursor, then live to its end. */
  threadStream: (threadId: string) => `/threads/${encodeURIComponent(threadId)}/stream`,
  /** Stops the thread's run in progress. */
  threadCancel: (threadId: string) => `/threads/${encodeURIComponent(threadId)}/cancel`,
  vectorStores: '/knowledge/vector-stores',
  vectorStore: (vectorStoreId: string) => `/knowledge/vector-stores/${encodeURIComponent(vectorStoreId)}`,
  vectorStoreFiles: (vectorStoreId: string) =>
    `/knowledge/vector-stores/${encodeURIComponent(vectorStoreId)}/files`,
  vectorStoreFile: (vectorStoreId: string, fileId: string) =>
    `/knowledge/vector-stores/${encodeURIComponent(vectorStoreId)}/files/${encodeURIComponent(fileId)}`,
  vectorStoreSearch: (vectorStoreId: string) =>
    `/knowledge/vector-stores/${encodeURIComponent(vectorStoreId)}/search`,
  knowledgeFile: (fileId: string) => `/knowledge/files/${encodeURIComponent(fileId)}`,
  knowledgeFileContent: (fileId: string) => `/knowledge/files/${encodeURIComponent(fileId)}/content`,
  knowledgeFilePage: (fileId: string) => `/knowledge/files/${encodeURIComponent(fileId)}/page`,
  sampleKnowledgeBase: '/knowledge/sample',
  defaultKnowledgeBase: '/knowledge/default',
  knowledgeLimits: '/knowledge/limits',
  legacy: {
    assistants: '/api/assistants',
    threads: '/api/assistants/threads',
    messages: (threadId: string) => `/api/assistants/threads/${encodeURIComponent(threadId)}/messages`,
    actions: (threadId: string) => `/api/assistants/threads/${encodeURIComponent(threadId)}/actions`,
    files: '/api/assistants/files',
    file: (fileId: string) => `/api/files/${encodeURIComponent(fileId)}`,
  },
} as const;

/** Response header carrying the thread id of a `/chat/stream` response. */
export const threadIdHeader = 'x-thread-id';

/** The request header a resuming reader names the last event it has with (as EventSource sends it). */
export const lastEventIdHeader = 'last-event-id';
