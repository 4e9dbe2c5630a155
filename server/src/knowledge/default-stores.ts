import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../sqlite/index.js';
import type { VectorStoreApi } from '../engines/index.js';
import type { DefaultStoreRecords } from '../ownership/index.js';
import type { OwnedKnowledge } from './owned-knowledge.js';
import { loadSampleKnowledgeBase } from './sample-knowledge-base.js';

/** `sample`: a user with no default yet gets their own copy of the docs; `none`: they start empty. */
export type DefaultKnowledgeMode = 'sample' | 'none';

/**
 * Each user's default knowledge base: the vector stores a conversation searches when it names
 * none. Kept on the server, beside the owner records (so every instance, browser and device of a
 * user gets the same answers), per user and engine; the first time a user is seen, the default
 * is their own copy of the sample documentation (mode `sample`) — one copy, whichever instance
 * and however many requests ask at once.
 */
export type DefaultKnowledge = {
  /** The user's default stores that still exist; provisions the sample on first use. */
  storeIds(userId: string): Promise<string[]>;
  /** Replaces the user's default; every id must be a store they can see (else the 404). */
  set(userId: string, vectorStoreIds: readonly string[]): Promise<string[]>;
};

/** How provisioning is claimed: a dead holder's claim lapses after `claimTtlMs`. */
export type ProvisionTiming = { claimTtlMs: number; pollMs: number; maxWaitMs: number };
const defaultTiming: ProvisionTiming = { claimTtlMs: 30_000, pollMs: 250, maxWaitMs: 120_000 };

// Before defaults were shared: one row per user in this instance's database, read as an old source.
const legacyMigrations = [
  `CREATE TABLE knowledge_defaults (
     user_id TEXT PRIMARY KEY,
     vector_store_ids TEXT NOT NULL,
     updated_at TEXT NOT NULL
   ) WITHOUT ROWID;`,
];
const storedIds = z.array(z.string());

export function createDefaultKnowledge(options: {
  records: DefaultStoreRecords;
  /** The embedded database, whose pre-sharing defaults are adopted once. */
  database: SqliteDatabase;
  mode: DefaultKnowledgeMode;
  knowledgeFor: (userId: string) => OwnedKnowledge;
  onProvisionError: (userId: string, error: unknown) => void;
  timing?: Partial<ProvisionTiming>;
}): DefaultKnowledge {
  const { records, knowledgeFor } = options;
  const timing = { ...defaultTiming, ...options.timing };
  migrate(options.database, 'defaults', legacyMigrations);
  const legacyRow = options.database.prepare<[string], { vector_store_ids: string }>(
    'SELECT vector_store_ids FROM knowledge_defaults WHERE user_id = ?',
  );
  /** The recorded default; else this instance's pre-sharing one, recorded (unless one was meanwhile). */
  const saved = async (userId: string): Promise<string[] | null> => {
    const recorded = await records.get(userId);
    if (recorded !== null) return recorded;
    const row = legacyRow.get(userId);
    if (!row) return null;
    const parsed = storedIds.safeParse(JSON.parse(row.vector_store_ids));
    await records.putIfAbsent(userId, parsed.success ? parsed.data : []);
    return records.get(userId);
  };

  /**
   * One instance loads the sample while the others wait for its default to be recorded: the claim
   * is set-if-absent, renewed while loading, released after. A claim whose holder died lapses and
   * is taken over; loading again is harmless (loadSampleKnowledgeBase reuses the store and the
   * files the first attempt made).
   */
  const provisionShared = async (userId: string): Promise<void> => {
    const holder = randomUUID();
    const deadline = Date.now() + timing.maxWaitMs;
    for (;;) {
      if ((await saved(userId)) !== null) return;
      if (await records.claim(userId, holder, timing.claimTtlMs)) break;
      // Waiting longer than this, the send goes on without a default (the next one asks again).
      if (Date.now() >= deadline) return;
      await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
    }
    const renewal = setInterval(() => {
      records.claim(userId, holder, timing.claimTtlMs).catch(() => undefined);
    }, timing.claimTtlMs / 3);
    renewal.unref();
    try {
      // The previous holder may have recorded it just before this claim.
      if ((await records.get(userId)) !== null) return;
      const { vectorStore } = await loadSampleKnowledgeBase(knowledgeFor(userId).vectorStores);
      // If the user saved a choice while their sample was loading, it wins over the sample.
      await records.putIfAbsent(userId, [vectorStore.id]);
    } finally {
      clearInterval(renewal);
      await records.release(userId, holder).catch(() => undefined);
    }
  };
  // Concurrent first requests of one user on this instance share one provisioning.
  const provisioning = new Map<string, Promise<void>>();
  const provision = (userId: string): Promise<void> => {
    const pending = provisioning.get(userId);
    if (pending) return pending;
    const started = provisionShared(userId)
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
      let ids = await saved(userId);
      if (ids === null && options.mode === 'sample') {
        await provision(userId);
        ids = await records.get(userId);
      }
      return existing(knowledgeFor(userId).vectorStores, ids ?? []);
    },
    async set(userId, vectorStoreIds) {
      const knowledge = knowledgeFor(userId);
      await knowledge.assertVectorStores(vectorStoreIds);
      const kept = await existing(knowledge.vectorStores, [...new Set(vectorStoreIds)]);
      await records.put(userId, kept);
      return kept;
    },
  };
}

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
