import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../sqlite/index.js';
import type { SharedRecords } from './owner-records.js';

const migrations = [
  // Knowledge owners before the one ownership rule: kept as an old source (see legacyKnowledgeOwner).
  `CREATE TABLE owners_knowledge (
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (kind, id)
   ) WITHOUT ROWID;`,
  `CREATE TABLE owner_records (
     scope TEXT NOT NULL,
     kind TEXT NOT NULL,
     id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (scope, kind, id)
   ) WITHOUT ROWID;
   CREATE TABLE default_stores (
     scope TEXT NOT NULL,
     user_id TEXT NOT NULL,
     vector_store_ids TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (scope, user_id)
   ) WITHOUT ROWID;
   CREATE TABLE default_store_claims (
     scope TEXT NOT NULL,
     user_id TEXT NOT NULL,
     holder TEXT NOT NULL,
     expires_at INTEGER NOT NULL,
     PRIMARY KEY (scope, user_id)
   ) WITHOUT ROWID;`,
];
const storedIds = z.array(z.string());

/**
 * The records in the embedded database: the home when neither MongoDB nor Redis is configured,
 * so they are this instance's (and those of processes sharing its DATA_DIR) alone.
 */
export function createSqliteRecords(database: SqliteDatabase, scope: string): SharedRecords {
  migrate(database, 'owners', migrations);
  const insertOwner = database.prepare(
    'INSERT INTO owner_records (scope, kind, id, user_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  );
  const selectOwner = database.prepare<[string, string, string], { user_id: string }>(
    'SELECT user_id FROM owner_records WHERE scope = ? AND kind = ? AND id = ?',
  );
  const deleteOwner = database.prepare('DELETE FROM owner_records WHERE scope = ? AND kind = ? AND id = ?');
  const selectDefault = database.prepare<[string, string], { vector_store_ids: string }>(
    'SELECT vector_store_ids FROM default_stores WHERE scope = ? AND user_id = ?',
  );
  const insertDefault = database.prepare(
    `INSERT INTO default_stores (scope, user_id, vector_store_ids, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT DO NOTHING`,
  );
  const upsertDefault = database.prepare(
    `INSERT INTO default_stores (scope, user_id, vector_store_ids, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, user_id) DO UPDATE SET vector_store_ids = excluded.vector_store_ids,
       updated_at = excluded.updated_at`,
  );
  // One statement: free, expired or already this holder's (a renewal) — never someone else's live claim.
  const takeClaim = database.prepare(
    `INSERT INTO default_store_claims (scope, user_id, holder, expires_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (scope, user_id) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
     WHERE default_store_claims.holder = excluded.holder OR default_store_claims.expires_at <= ?`,
  );
  const dropClaim = database.prepare(
    'DELETE FROM default_store_claims WHERE scope = ? AND user_id = ? AND holder = ?',
  );

  return {
    home: 'sqlite',
    owners: {
      record: async (kind, id, userId) => void insertOwner.run(scope, kind, id, userId),
      ownerOf: async (kind, id) => selectOwner.get(scope, kind, id)?.user_id ?? null,
      forget: async (kind, id) => void deleteOwner.run(scope, kind, id),
    },
    defaults: {
      async get(userId) {
        const row = selectDefault.get(scope, userId);
        if (!row) return null;
        const parsed = storedIds.safeParse(JSON.parse(row.vector_store_ids));
        return parsed.success ? parsed.data : [];
      },
      putIfAbsent: async (userId, ids) =>
        insertDefault.run(scope, userId, JSON.stringify(ids), new Date().toISOString()).changes === 1,
      put: async (userId, ids) =>
        void upsertDefault.run(scope, userId, JSON.stringify(ids), new Date().toISOString()),
      async claim(userId, holder, ttlMs) {
        const now = Date.now();
        return takeClaim.run(scope, userId, holder, now + ttlMs, now).changes === 1;
      },
      release: async (userId, holder) => void dropClaim.run(scope, userId, holder),
    },
    // The embedded database is the persistence plugin's to close.
    close: async () => undefined,
  };
}

/**
 * The owner of a vector store or file as this instance recorded it before the one ownership rule
 * (the `owners_knowledge` table): an old source the rule reads once and records.
 */
export function legacyKnowledgeOwner(
  database: SqliteDatabase,
): (kind: 'vector_store' | 'file', id: string) => string | null {
  migrate(database, 'owners', migrations);
  const select = database.prepare<[string, string], { user_id: string }>(
    'SELECT user_id FROM owners_knowledge WHERE kind = ? AND id = ?',
  );
  return (kind, id) => select.get(kind, id)?.user_id ?? null;
}
