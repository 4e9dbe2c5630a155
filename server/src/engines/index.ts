/**
 * @module engines
 * The engine interface (threads, messages, runs streamed as Assistants events, vector stores,
 * files) and the three engines behind it: `local` (embedded), `openai` (Responses + Conversations)
 * and `assistants` (any Assistants API). Exports the interface, the plugin that builds the
 * configured engine (`app.engine`), and `wireEngineOf` for the Assistants objects only the local
 * engine keeps (the /v1 and legacy routes serve them).
 */
export { enginePlugin } from './engine-plugin.js';
export type { Engine, FileApi, StoredFile, UploadedFile, VectorStoreApi } from './engine.js';
export {
  LocalEngine,
  ModelUnavailableError,
  PdfTextWorker,
  cursorPage,
  defaultAssistantId,
  describeEmbeddings,
  documentKind,
  isModelRequired,
  listEnvelope,
  modelOfflineAdvice,
  resolveAnswerMode,
  resolveModelFile,
} from './local/index.js';
export type {
  ChunkingStrategy,
  DocumentKind,
  FileBatchRecord,
  EngineKnowledge,
  LocalRunOptions,
  PageQuery,
  RunParameters,
  StoreFileDetails,
  VectorStoreRecord,
} from './local/index.js';
export { wireEngineOf } from './wire-engine.js';
export type { WireEngine } from './wire-engine.js';
