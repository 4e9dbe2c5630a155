import pg from 'pg';

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

/** `work` on one pooled client between BEGIN and COMMIT; ROLLBACK (and the error again) on a throw. */
export async function inTransaction<T>(
  pool: pg.Pool,
  work: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
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
