import type { Engine } from './engine.js';
import { LocalEngine, type EngineKnowledge } from './local/index.js';

/**
 * The engine that keeps the Assistants API's own objects — assistants, runs and run steps,
 * messages by page, files with their purpose, vector stores with chunking and batches — which the
 * `/v1` and legacy routes serve. Only the embedded engine keeps them; the upstream engines relay
 * runs and knowledge through the Engine interface alone.
 */
export type WireEngine = LocalEngine<EngineKnowledge>;

/** The engine's wire API, or null when the engine relays to an upstream that keeps its own. */
export function wireEngineOf(engine: Engine): WireEngine | null {
  // The engine plugin builds LocalEngine over an EngineKnowledge (SQLite or PostgreSQL).
  return engine instanceof LocalEngine ? (engine as WireEngine) : null;
}
