/**
 * @module postgres
 * The shared engine database (`ENGINE_DATABASE_URL`): a pg pool over a `postgres://` or
 * Unix-socket URI, per-feature migrations applied once across every instance, and transactions
 * scoped to the acting user's rows (row-level security).
 */
export {
  actingScope,
  applyRowScope,
  inTransaction,
  migratePostgres,
  openPostgres,
  scopedDatabase,
  withRowScope,
} from './database.js';
export type { Queryable, RowScope, ScopedDatabase } from './database.js';
