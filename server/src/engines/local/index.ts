/**
 * @module engines/local
 * The embedded `local` engine: threads, messages, runs and run steps in SQLite, or in PostgreSQL
 * with ENGINE_DATABASE_URL (`store/`, `threads/`, `runs/`), document ingestion and hybrid search
 * (`knowledge/{ingest,search,embed}`; SQLite, or PostgreSQL with ENGINE_DATABASE_URL, behind
 * `EngineKnowledge`),
 * and grounded answers, quoted or model-written (`answer/`).
 */
export { resolveAnswerMode } from './answer/answer-mode.js';
export { describeEmbeddings, isModelRequired } from './knowledge/embed/embedder.js';
export {
  ModelUnavailableError,
  modelOfflineAdvice,
  resolveModelFile,
} from './knowledge/embed/minilm/model-file.js';
export { documentKind } from './knowledge/ingest/parse-document.js';
export type { DocumentKind } from './knowledge/ingest/parse-document.js';
export { PdfTextWorker } from './knowledge/ingest/pdf-text.js';
export { createKnowledgeBase } from './knowledge/knowledge-base.js';
export { createPostgresKnowledgeBase } from './knowledge/postgres-knowledge-base.js';
export type { EngineKnowledge } from './knowledge/engine-knowledge.js';
export type {
  ChunkingStrategy,
  FileBatchRecord,
  StoreFileDetails,
  VectorStoreRecord,
} from './knowledge/knowledge-store.js';
export { LocalEngine } from './local-engine.js';
export { openSharedEngineState } from './store/shared-engine-state.js';
export type { RunParameters } from './runs/run-objects.js';
export type { LocalRunOptions } from './runs/run-plan.js';
export { cursorPage, listEnvelope } from './store/cursor-page.js';
export type { PageQuery } from './store/json-table.js';
export { defaultAssistantId } from './threads/local-assistants.js';
