import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;

/** Opens the one embedded database file (engine state, transcripts, outbox) under the data dir. */
export function openDatabase(dataDir: string, fileName = 'threadline.db'): SqliteDatabase {
  mkdirSync(dataDir, { recursive: true });
  const database = new Database(join(dataDir, fileName));
  database.pragma('journal_mode = WAL');
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
