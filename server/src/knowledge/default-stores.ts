import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../sqlite/index.js';
import type { VectorStoreApi } from '../engines/index.js';
import type { OwnedKnowledge } from './owned-knowledge.js';
import { loadSampleKnowledgeBase } from './sample-knowledge-base.js';

/** `sample`: a user with no default yet gets their own copy of the docs; `none`: they start empty. */
export type DefaultKnowledgeMode = 'sample' | 'none';

/**
 * Each user's default knowledge base: the vector stores a conversation searches when it names
 * none. Kept on the server (one row per user in the embedded database), so every browser and
 * device of a user gets the same answers; the first time a user is seen, the default is their
 * own copy of the sample documentation (mode `sample`).
 */
export type DefaultKnowledge = {
  /** The user's default stores that still exist; provisions the sample on first use. */
  storeIds(userId: string): Promise<string[]>;
  /** Replaces the user's default; every id must be a store they can see (else the 404). */
  set(userId: string, vectorStoreIds: readonly string[]): Promise<string[]>;
};

const migrations = [
  `CREATE TABLE knowledge_defaults (
     user_id TEXT PRIMARY KEY,
     vector_store_ids TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
];
const storedIds = z.array(z.string());

export function createDefaultKnowledge(options: {
  database: SqliteDatabase;
  mode: DefaultKnowledgeMode;
  knowledgeFor: (userId: string) => OwnedKnowledge;
  onProvisionError: (userId: string, error: unknown) => void;
}): DefaultKnowledge {
  const { database, knowledgeFor } = options;
  migrate(database, 'defaults', migrations);
  const select = database.prepare<[string], { vector_store_ids: string }>(
    'SELECT vector_store_ids FROM knowledge_defaults WHERE user_id = ?',
  );
  // DO NOTHING: a choice the user saved while their sample was loading wins over the sample.
  const insert = database.prepare(
    'INSERT INTO knowledge_defaults (user_id, vector_store_ids, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING',
  );
  const upsert = database.prepare(
    `INSERT INTO knowledge_defaults (user_id, vector_store_ids, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (user_id) DO UPDATE SET vector_store_ids = excluded.vector_store_ids, updated_at = excluded.updated_at`,
  );
  const saved = (userId: string): string[] | null => {
    const row = select.get(userId);
    if (!row) return null;
    const parsed = storedIds.safeParse(JSON.parse(row.vector_store_ids));
    return parsed.success ? parsed.data : [];
  };
  // Concurrent first requests of one user share one copy of the sample.
  const provisioning = new Map<string, Promise<void>>();
  const provision = (userId: string): Promise<void> => {
    const pending = provisioning.get(userId);
    if (pending) return pending;
    const started = loadSampleKnowledgeBase(knowledgeFor(userId).vectorStores)
      .then(({ vectorStore }) => void insert.run(userId, JSON.stringify([vectorStore.id]), now()))
      // Not recorded: the next request tries again (an upstream engine may have been down).
      .catch((error: unknown) => options.onProvisionError(userId, error))
      .finally(() => provisioning.delete(userId));
    provisioning.set(userId, started);
    return started;
  };
  const existing = async (vectorStores: VectorStoreApi, ids: readonly string[]) => {
    const found = await Promise.all(ids.map(async (id) => ((await vectorStores.get(id)) ? id : null)));
    return found.filter((id) => id !== null);
  };

  return {
    async storeIds(userId) {
      if (saved(userId) === null && options.mode === 'sample') await provision(userId);
      return existing(knowledgeFor(userId).vectorStores, saved(userId) ?? []);
    },
    async set(userId, vectorStoreIds) {
      const knowledge = knowledgeFor(userId);
      knowledge.assertVectorStores(vectorStoreIds);
      const ids = [...new Set(vectorStoreIds)];
      const kept = await existing(knowledge.vectorStores, ids);
      upsert.run(userId, JSON.stringify(kept), now());
      return kept;
    },
  };
}

const now = () => new Date().toISOString();

/**
 * Resolves once no file of `vectorStoreIds` is still being ingested, or after `timeoutMs`, or
 * when `signal` aborts: a question asked seconds after the sample started loading is answered
 * from it instead of from a half-read knowledge base.
 */
export async function waitForIngestion(
  vectorStores: VectorStoreApi,
  vectorStoreIds: readonly string[],
  options: { timeoutMs: number; signal?: AbortSignal; pollMs?: number },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const files = (await Promise.all(vectorStoreIds.map((id) => vectorStores.listFiles(id)))).flat();
    if (!files.some((file) => file.status === 'in_progress')) return;
    if (Date.now() >= deadline || options.signal?.aborted) return;
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 200));
  }
}
