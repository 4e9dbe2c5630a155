import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** Files a background checkpointer looks after (count of holders per file). */
const backgroundCheckpointed = new Map<string, number>();

/**
 * Says that a background checkpointer looks after `database`'s file: this connection and those
 * opened later leave checkpoints to it. Returns the undo, for when the checkpointer stops.
 */
export function useBackgroundCheckpoints(database: SqliteDatabase): () => void {
  const file = database.name;
  backgroundCheckpointed.set(file, (backgroundCheckpointed.get(file) ?? 0) + 1);
  database.pragma('wal_autocheckpoint = 0');
  let isReleased = false;
  return () => {
    if (isReleased) return;
    isReleased = true;
    const holders = (backgroundCheckpointed.get(file) ?? 1) - 1;
    if (holders > 0) backgroundCheckpointed.set(file, holders);
    else backgroundCheckpointed.delete(file);
  };
}

/** Opens the one embedded database file (engine state, transcripts, outbox) under the data dir. */
export function openDatabase(dataDir: string, fileName = 'threadline.db'): SqliteDatabase {
  mkdirSync(dataDir, { recursive: true });
  const database = new Database(join(dataDir, fileName));
  database.pragma('journal_mode = WAL');
  // A checkpoint run by a commit blocks that commit (and the event loop) for as long as it takes
  // to copy the WAL and sync the file. Where a background checkpointer looks after this file, no
  // connection checkpoints on its own.
  if (backgroundCheckpointed.has(database.name)) database.pragma('wal_autocheckpoint = 0');
  database.pragma('synchronous = NORMAL');
  database.pragma('foreign_keys = ON');
  database.pragma('busy_timeout = 5000');
  database.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (namespace TEXT NOT NULL, version INTEGER NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (namespace, version))',
  );
  return database;
}

/**
 * Applies a component's migrations in order, each once, each in a transaction. Components own
 * their tables and name them with their own prefix (`engine_`, `kb_`, `transcript_`, `outbox_`).
 */
export function migrate(database: SqliteDatabase, namespace: string, migrations: readonly string[]): void {
  const applied = new Set(
    database
      .prepare<[string], { version: number }>('SELECT version FROM schema_migrations WHERE namespace = ?')
      .all(namespace)
      .map((row) => row.version),
  );
  migrations.forEach((sql, index) => {
    const version = index + 1;
    if (applied.has(version)) return;
    database.transaction(() => {
      database.exec(sql);
      database
        .prepare('INSERT INTO schema_migrations (namespace, version, applied_at) VALUES (?, ?, ?)')
        .run(namespace, version, new Date().toISOString());
    })();
  });
}
