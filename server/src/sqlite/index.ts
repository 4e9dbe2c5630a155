/**
 * @module sqlite
 * The embedded database file (better-sqlite3, WAL) and its per-feature migrations; the local
 * engine, the SQLite transcript store, the owner records and the outbox share one connection.
 */
export { migrate, openDatabase } from './database.js';
export type { SqliteDatabase } from './database.js';
