/**
 * @module postgres
 * The shared engine database (`ENGINE_DATABASE_URL`): a pg pool over a `postgres://` or
 * Unix-socket URI, and per-feature migrations applied once across every instance.
 */
export { inTransaction, migratePostgres, openPostgres } from './database.js';
export type { Queryable } from './database.js';
