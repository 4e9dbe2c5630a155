/**
 * @module engines
 * TODO describe
 */
export { enginePlugin } from './engine-plugin.js';
export type { Engine, FileApi, StoredFile, UploadedFile, VectorStoreApi } from './engine.js';
export { PdfTextWorker, cursorPage, documentKind } from './local/index.js';
export type {
  ChunkingStrategy,
  DocumentKind,
  FileBatchRecord,
  KnowledgeBase,
  LocalRunOptions,
  Page,
  PageQuery,
  RunParameters,
  StoreFileDetails,
  VectorStoreRecord,
} from './local/index.js';
export { wireEngineOf } from './wire-engine.js';
export type { WireEngine } from './wire-engine.js';
