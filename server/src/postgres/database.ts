import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import { actingUserId } from '../common/index.js';

/** What runs a query: the pool, or one client inside a transaction. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/**
 * A pool over the shared engine database. `postgres://user@host/db`, or a Unix socket as
 * `postgresql://user@/db?host=/run/postgresql` (pg reads `host` from the query string).
 */
export function openPostgres(connectionString: string, max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  // An idle client losing its server (a restart, a failover) is reported here; the pool drops it
  // and the next query opens a new one, so it must not crash the process.
  pool.on('error', () => {});
  return pool;
}

/**
 * Whose rows a transaction may touch, as the tables' row-level security policies read it
 * (`threadline.owner`, `threadline.worker`, set for the transaction only, so a pooled connection
 * never carries one user's scope into the next). A user's own rows; or a worker's one narrow
 * view across users, which each table's policies name: `ingestion-queue` (the queue's rows, to
 * claim a job), `corpus-statistics` (chunk counts for BM25), `run-leases` (runs' leases and their
 * threads' owners), `adopt-owners` (rows still owned by no user, to give them their owner).
 */
export type RowScope =
  | { owner: string }
  | {
      worker: 'ingestion-queue' | 'corpus-statistics' | 'run-leases' | 'adopt-owners';
      /** Also the user's rows: PostgreSQL checks a changed row is visible afterwards too. */
      owner?: string;
    };

const workerScopes = new AsyncLocalStorage<RowScope>();

/** `work` (and all it starts) in a worker's scope: a timer that acts for every user's runs. */
export function withRowScope<T>(scope: RowScope, work: () => T): T {
  return workerScopes.run(scope, work);
}

/**
 * The scope of the current work: a worker's (withRowScope), else the user it acts for (the
 * request's, else the local user).
 */
export const actingScope = (): RowScope => workerScopes.getStore() ?? { owner: actingUserId() };

/** Sets the scope on a client inside a transaction (until its COMMIT or ROLLBACK). */
export async function applyRowScope(client: pg.PoolClient, scope: RowScope): Promise<void> {
  await client.query(
    "SELECT set_config('threadline.owner', $1, true), set_config('threadline.worker', $2, true)",
    [scope.owner ?? '', 'worker' in scope ? scope.worker : ''],
  );
}

/**
 * `work` on one pooled client between BEGIN and COMMIT, scoped to `scope` (by default the acting
 * user); ROLLBACK (and the error again) on a throw.
 */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
  scope: RowScope = actingScope(),
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await applyRowScope(client, scope);
    const value = await work(client);
    await client.query('COMMIT');
    return value;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** What runs one scoped query: `query` as pg's, each call its own transaction. */
export type ScopedDatabase = {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(
    text: string,
    values?: unknown[],
  ): Promise<pg.QueryResult<R>>;
};

/**
 * The pool as a ScopedDatabase: every query runs in its own transaction under the scope of the
 * moment it is called (by default the acting user's), so one that forgets its owner filter still
 * sees only that user's rows.
 */
export function scopedDatabase(pool: pg.Pool, scope: () => RowScope = actingScope): ScopedDatabase {
  return {
    query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: unknown[]) {
      return inTransaction(pool, (client) => client.query<R>(text, values), scope());
    },
  };
}

/**
 * Applies a component's migrations in order, each once, each in a transaction. Instances
 * starting together take a transaction-scoped advisory lock keyed by the namespace, so one
 * applies them and the others find them applied.
 */
export async function migratePostgres(
  pool: pg.Pool,
  namespace: string,
  migrations: readonly string[],
): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`threadline:migrate:${namespace}`]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS schema_migrations (namespace text NOT NULL, version int NOT NULL, applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (namespace, version))',
    );
    const applied = await client.query<{ version: number }>(
      'SELECT version FROM schema_migrations WHERE namespace = $1',
      [namespace],
    );
    const done = new Set(applied.rows.map((row) => row.version));
    for (const [index, sql] of migrations.entries()) {
      const version = index + 1;
      if (done.has(version)) continue;
      await client.query(sql);
      await client.query('INSERT INTO schema_migrations (namespace, version) VALUES ($1, $2)', [
        namespace,
        version,
      ]);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
