import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../sqlite/index.js';
import type { OwnedKind, SharedRecords } from './owner-records.js';

const migrations = [
  // `user_id` NULL with `pending` 1: forgotten here, not yet in the shared home.
  `CREATE TABLE owner_mirror (
     scope TEXT NOT NULL,
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     user_id TEXT,
     pending INTEGER NOT NULL DEFAULT 0,
     PRIMARY KEY (scope, kind, id)
   ) WITHOUT ROWID;
   CREATE INDEX owner_mirror_pending ON owner_mirror (pending) WHERE pending = 1;
   CREATE TABLE default_stores_mirror (
     scope TEXT NOT NULL,
     user_id TEXT NOT NULL,
     vector_store_ids TEXT NOT NULL,
     PRIMARY KEY (scope, user_id)
   ) WITHOUT ROWID;`,
];
const storedIds = z.array(z.string());

export type MirrorTiming = {
  /** How long a write waits for the shared home before it is left to the retry loop. */
  writeWaitMs: number;
  /** How long a default-stores read waits before the last value seen here answers. */
  readWaitMs: number;
  retryMs: number;
};
const defaultTiming: MirrorTiming = { writeWaitMs: 500, readWaitMs: 500, retryMs: 2_000 };

/** Resolves with the result, or `late` once `ms` have passed (the operation carries on). */
async function within<T>(operation: Promise<T>, ms: number): Promise<{ value: T } | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    return await Promise.race([operation.then((value) => ({ value })), late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The shared records (MongoDB) with a copy in this instance's embedded database, so a conversation
 * keeps going while MongoDB is down, as its transcripts do (the outbox): owners this instance has
 * recorded or read are answered from the copy without a round trip (an owner, once recorded, never
 * changes: the first one stays); owners recorded or forgotten while MongoDB does not answer within
 * `writeWaitMs` are kept here, marked pending, and written to MongoDB by a retry loop (after a
 * restart too). What another instance forgot may stay in this copy: the object it named is gone,
 * so the engine answers it as missing all the same. Default stores are read from MongoDB, the last
 * value seen here answering while it is away; writes and provisioning claims need MongoDB.
 */
export function mirroredRecords(
  remote: SharedRecords,
  database: SqliteDatabase,
  scope: string,
  options: { timing?: Partial<MirrorTiming>; onRetryError?: (error: unknown) => void } = {},
): SharedRecords & { flushPending(): Promise<void> } {
  const timing = { ...defaultTiming, ...options.timing };
  migrate(database, 'owner-mirror', migrations);
  const selectOwner = database.prepare<[string, string, string], { user_id: string | null }>(
    'SELECT user_id FROM owner_mirror WHERE scope = ? AND kind = ? AND id = ?',
  );
  const putOwner = database.prepare(
    `INSERT INTO owner_mirror (scope, kind, id, user_id, pending) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (scope, kind, id) DO UPDATE SET user_id = excluded.user_id, pending = excluded.pending`,
  );
  const dropOwner = database.prepare('DELETE FROM owner_mirror WHERE scope = ? AND kind = ? AND id = ?');
  const pendingRows = database.prepare<[string], { kind: OwnedKind; id: string; user_id: string | null }>(
    'SELECT kind, id, user_id FROM owner_mirror WHERE pending = 1 AND scope = ? LIMIT 500',
  );
  const selectDefaults = database.prepare<[string, string], { vector_store_ids: string }>(
    'SELECT vector_store_ids FROM default_stores_mirror WHERE scope = ? AND user_id = ?',
  );
  const putDefaults = database.prepare(
    `INSERT INTO default_stores_mirror (scope, user_id, vector_store_ids) VALUES (?, ?, ?)
     ON CONFLICT (scope, user_id) DO UPDATE SET vector_store_ids = excluded.vector_store_ids`,
  );

  /** Records in the shared home, then keeps here whoever it holds (the first owner recorded). */
  const settleRecord = async (kind: OwnedKind, id: string, userId: string) => {
    await remote.owners.record(kind, id, userId);
    const winner = (await remote.owners.ownerOf(kind, id)) ?? userId;
    putOwner.run(scope, kind, id, winner, 0);
  };
  const settleForget = async (kind: OwnedKind, id: string) => {
    await remote.owners.forget(kind, id);
    dropOwner.run(scope, kind, id);
  };

  let retryTimer: NodeJS.Timeout | undefined;
  let isClosed = false;
  let flushing: Promise<void> | undefined;
  const flushPending = (): Promise<void> =>
    (flushing ??= (async () => {
      try {
        for (const row of pendingRows.all(scope)) {
          if (row.user_id === null) await settleForget(row.kind, row.id);
          else await settleRecord(row.kind, row.id, row.user_id);
        }
      } finally {
        flushing = undefined;
      }
    })());
  const retryLater = () => {
    if (retryTimer || isClosed) return;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      flushPending().then(
        () => {
          if (pendingRows.all(scope).length > 0) retryLater();
        },
        (error: unknown) => {
          options.onRetryError?.(error);
          retryLater();
        },
      );
    }, timing.retryMs);
    retryTimer.unref();
  };
  /** Waits a little for the shared home; what it does not settle in time is retried later. */
  const settleOrRetry = async (operation: Promise<void>) => {
    // Marked pending before the attempt: a failure late, after `within` gave up, is retried too.
    const settled = await within(
      operation.then(
        () => true,
        () => false,
      ),
      timing.writeWaitMs,
    );
    if (settled === 'late' || !settled.value) retryLater();
  };
  // Writes left pending by an earlier run (MongoDB was down when it stopped).
  if (pendingRows.all(scope).length > 0) retryLater();

  return {
    home: remote.home,
    owners: {
      async record(kind, id, userId) {
        if (typeof selectOwner.get(scope, kind, id)?.user_id === 'string') return;
        putOwner.run(scope, kind, id, userId, 1);
        await settleOrRetry(settleRecord(kind, id, userId));
      },
      async ownerOf(kind, id) {
        const row = selectOwner.get(scope, kind, id);
        if (row) return row.user_id;
        const owner = await remote.owners.ownerOf(kind, id);
        if (owner !== null) putOwner.run(scope, kind, id, owner, 0);
        return owner;
      },
      async forget(kind, id) {
        putOwner.run(scope, kind, id, null, 1);
        await settleOrRetry(settleForget(kind, id));
      },
    },
    defaults: {
      async get(userId) {
        const attempt = remote.defaults.get(userId);
        // Awaited below, or abandoned to the last value seen here.
        attempt.catch(() => undefined);
        const answered = await within(attempt, timing.readWaitMs).catch(() => 'failed' as const);
        if (typeof answered === 'object') {
          if (answered.value !== null) putDefaults.run(scope, userId, JSON.stringify(answered.value));
          return answered.value;
        }
        const row = selectDefaults.get(scope, userId);
        // Nothing seen here: the shared home's own answer, or its error.
        if (!row) return attempt;
        const parsed = storedIds.safeParse(JSON.parse(row.vector_store_ids));
        return parsed.success ? parsed.data : [];
      },
      async putIfAbsent(userId, ids) {
        const isPut = await remote.defaults.putIfAbsent(userId, ids);
        if (isPut) putDefaults.run(scope, userId, JSON.stringify(ids));
        return isPut;
      },
      async put(userId, ids) {
        await remote.defaults.put(userId, ids);
        putDefaults.run(scope, userId, JSON.stringify(ids));
      },
      claim: (userId, holder, ttlMs) => remote.defaults.claim(userId, holder, ttlMs),
      release: (userId, holder) => remote.defaults.release(userId, holder),
    },
    flushPending,
    async close() {
      isClosed = true;
      clearTimeout(retryTimer);
      await remote.close();
    },
  };
}
