import { apiPaths, type ChatRequest, type LegacyMessageRequest } from '@threadline/shared';

/**
 * The one place that knows the backends: which ones exist, where they live, how their URLs and
 * request bodies are built and which stream framing each answers with. Everything else asks here.
 */
export const backendTypes = ['threadline', 'legacy'] as const;
export type BackendType = (typeof backendTypes)[number];
export type StreamFraming = 'sse' | 'ndjson';

export type BackendDescriptor = {
  type: BackendType;
  label: string;
  baseUrl: string;
  framing: StreamFraming;
  /** The legacy route keeps no history and cannot cancel a run (it behaves as the quickstart did). */
  hasHistory: boolean;
  canCancel: boolean;
};

export type ApiEnvironment = {
  VITE_API_URL?: string | undefined;
  VITE_LEGACY_API_URL?: string | undefined;
  VITE_DEFAULT_BACKEND?: string | undefined;
};

export type ApiConfig = { threadlineBaseUrl: string; legacyBaseUrl: string; defaultBackend: BackendType };

export const isBackendType = (value: unknown): value is BackendType =>
  typeof value === 'string' && (backendTypes as readonly string[]).includes(value);

/** '' means "the origin that served the app"; trailing slashes go so paths join cleanly. */
export function normaliseBaseUrl(value: string | undefined): string {
  return (value ?? '').trim().replace(/\/+$/, '');
}

export function readApiConfig(environment: ApiEnvironment): ApiConfig {
  const threadlineBaseUrl = normaliseBaseUrl(environment.VITE_API_URL);
  const legacy = normaliseBaseUrl(environment.VITE_LEGACY_API_URL);
  return {
    threadlineBaseUrl,
    legacyBaseUrl: legacy === '' ? threadlineBaseUrl : legacy,
    defaultBackend: isBackendType(environment.VITE_DEFAULT_BACKEND)
      ? environment.VITE_DEFAULT_BACKEND
      : 'threadline',
  };
}

export const apiConfig: ApiConfig = readApiConfig(import.meta.env);

export function describeBackend(type: BackendType, config: ApiConfig = apiConfig): BackendDescriptor {
  switch (type) {
    case 'threadline':
      return {
        type,
        label: 'Threadline',
        baseUrl: config.threadlineBaseUrl,
        framing: 'sse',
        hasHistory: true,
        canCancel: true,
      };
    case 'legacy':
      return {
        type,
        label: 'Legacy route',
        baseUrl: config.legacyBaseUrl,
        framing: 'ndjson',
        hasHistory: false,
        canCancel: false,
      };
  }
}

export const framingAccept: Record<StreamFraming, string> = {
  sse: 'text/event-stream',
  ndjson: 'application/x-ndjson',
};

const join = (baseUrl: string, path: string) => `${baseUrl}${path}`;
const withQuery = (path: string, query: Record<string, string | number | undefined>) => {
  const parameters = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== '') parameters.set(key, String(value));
  }
  const text = parameters.toString();
  return text === '' ? path : `${path}?${text}`;
};

/** URLs of Threadline's own API (history, knowledge base, health) and of both chat routes. */
export function endpoints(config: ApiConfig = apiConfig) {
  const api = (path: string) => join(config.threadlineBaseUrl, path);
  const legacy = (path: string) => join(config.legacyBaseUrl, path);
  return {
    health: () => api(apiPaths.health),
    chatStream: () => api(apiPaths.chatStream),
    threads: (query: { limit?: number; cursor?: string | undefined; q?: string | undefined } = {}) =>
      api(withQuery(apiPaths.threads, query)),
    thread: (threadId: string) => api(apiPaths.thread(threadId)),
    threadMessages: (threadId: string) => api(apiPaths.threadMessages(threadId)),
    threadStream: (threadId: string) => api(apiPaths.threadStream(threadId)),
    threadCancel: (threadId: string) => api(apiPaths.threadCancel(threadId)),
    vectorStores: () => api(apiPaths.vectorStores),
    vectorStore: (id: string) => api(apiPaths.vectorStore(id)),
    vectorStoreFiles: (id: string) => api(apiPaths.vectorStoreFiles(id)),
    vectorStoreFile: (id: string, fileId: string) => api(apiPaths.vectorStoreFile(id, fileId)),
    knowledgeFile: (fileId: string) => api(apiPaths.knowledgeFile(fileId)),
    knowledgeFileContent: (fileId: string) => api(apiPaths.knowledgeFileContent(fileId)),
    knowledgeFilePage: (fileId: string, quote: string) =>
      api(withQuery(apiPaths.knowledgeFilePage(fileId), { quote })),
    sampleKnowledgeBase: () => api(apiPaths.sampleKnowledgeBase),
    defaultKnowledgeBase: () => api(apiPaths.defaultKnowledgeBase),
    knowledgeLimits: () => api(apiPaths.knowledgeLimits),
    speech: () => api(apiPaths.speech),
    audioTranscriptions: () => api('/v1/audio/transcriptions'),
    audioSpeech: () => api('/v1/audio/speech'),
    legacyThreads: () => legacy(apiPaths.legacy.threads),
    legacyMessages: (threadId: string) => legacy(apiPaths.legacy.messages(threadId)),
  };
}

export type ChatInput = {
  threadId?: string | null;
  content: string;
  vectorStoreIds?: readonly string[];
  origin?: ChatRequest['origin'];
};

/** With no vector stores named, the server searches the thread's own or the user's default ones. */
export function chatRequestBody(input: ChatInput): ChatRequest {
  const body: ChatRequest = { content: input.content };
  if (input.threadId) body.threadId = input.threadId;
  if (input.origin) body.origin = input.origin;
  if (input.vectorStoreIds && input.vectorStoreIds.length > 0)
    body.vectorStoreIds = [...input.vectorStoreIds];
  return body;
}

export const legacyMessageBody = (content: string): LegacyMessageRequest => ({ content });

export type PreparedRequest = { url: string; init: RequestInit };
const postJson = (url: string, body: unknown, accept: string): PreparedRequest => ({
  url,
  init: {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept },
    body: JSON.stringify(body),
  },
});

/** The legacy route needs a thread before its first message; Threadline creates one itself. */
export function threadCreationRequest(
  type: BackendType,
  config: ApiConfig = apiConfig,
): PreparedRequest | null {
  if (type === 'threadline') return null;
  return {
    url: endpoints(config).legacyThreads(),
    init: { method: 'POST', headers: { accept: 'application/json' } },
  };
}

export function chatStreamRequest(
  type: BackendType,
  input: ChatInput,
  config: ApiConfig = apiConfig,
): PreparedRequest & { framing: StreamFraming } {
  const { framing } = describeBackend(type, config);
  const accept = framingAccept[framing];
  if (type === 'threadline') {
    return { ...postJson(endpoints(config).chatStream(), chatRequestBody(input), accept), framing };
  }
  if (!input.threadId) throw new Error('the legacy route needs a thread id; create one first');
  return {
    ...postJson(endpoints(config).legacyMessages(input.threadId), legacyMessageBody(input.content), accept),
    framing,
  };
}

/** The run-time choice made with the switch in the header, remembered across reloads. */
export const backendStorageKey = 'threadline.backend';
type BackendListener = (type: BackendType) => void;
const backendListeners = new Set<BackendListener>();

const safeStorage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage can be blocked (privacy settings); the default then applies
  }
};

export function selectedBackend(config: ApiConfig = apiConfig, storage = safeStorage()): BackendType {
  const stored = storage?.getItem(backendStorageKey);
  return isBackendType(stored) ? stored : config.defaultBackend;
}

export function selectBackend(type: BackendType, storage = safeStorage()): void {
  storage?.setItem(backendStorageKey, type);
  for (const listener of backendListeners) listener(type);
}

export function onBackendChange(listener: BackendListener): () => void {
  backendListeners.add(listener);
  return () => backendListeners.delete(listener);
}
