import type pg from 'pg';
import { inTransaction, scopedDatabase, withRowScope } from '../../../postgres/index.js';
import type { SqliteDatabase } from '../../../sqlite/index.js';
import { PostgresEngineState } from './postgres-engine-state.js';

/** Parents before children, so every foreign key finds its row. */
const tables = [
  { name: 'engine_assistants', columns: ['id', 'owner', 'data'] },
  { name: 'engine_threads', columns: ['id', 'owner', 'data'] },
  { name: 'engine_messages', columns: ['id', 'thread_id', 'data'] },
  { name: 'engine_runs', columns: ['id', 'thread_id', 'status', 'data', 'context'] },
  { name: 'engine_run_steps', columns: ['id', 'run_id', 'data'] },
] as const;
const jsonColumns = new Set(['data', 'context']);
const batchSize = 500;

export type CopyReport = {
  identity: string;
  tables: { table: string; inSource: number; copied: number; alreadyThere: number }[];
};

/**
 * Copies the engine's state from the embedded SQLite file into PostgreSQL: every row whole, in
 * creation order, under the same engine identity (owner records kept elsewhere are filed under
 * it). Idempotent: rows already there (same id) are left as they are. With `isDryRun`, counts
 * what would be copied and writes no rows (the tables are made if missing). Refuses a database
 * holding another engine's rows.
 */
export function copyEngineState(
  source: SqliteDatabase,
  pool: pg.Pool,
  options: { isDryRun: boolean },
): Promise<CopyReport> {
  // The copy sees and writes every user's rows (row-level security's adopt-owners view).
  return withRowScope({ worker: 'adopt-owners' }, () =>
    copyRows(source, scopedDatabase(pool), pool, options),
  );
}

async function copyRows(
  source: SqliteDatabase,
  database: ReturnType<typeof scopedDatabase>,
  pool: pg.Pool,
  options: { isDryRun: boolean },
): Promise<CopyReport> {
  const identityRow = source.prepare<[], { id: string }>('SELECT id FROM engine_identity LIMIT 1').get();
  if (!identityRow) throw new Error('The SQLite file has no engine identity: is it a Threadline data file?');
  const identity = identityRow.id;
  const target = await PostgresEngineState.open(pool);
  const targetIdentity = await target.identity();
  if (targetIdentity !== identity) {
    const held = await database.query<{ count: string }>(
      `SELECT (SELECT count(*) FROM engine_threads) + (SELECT count(*) FROM engine_assistants
         WHERE id <> 'asst_threadline') AS count`,
    );
    if (Number(held.rows[0]?.count ?? 0) > 0)
      throw new Error(
        `The PostgreSQL database holds another engine's objects (identity ${targetIdentity}, not ${identity}); copy into an empty one.`,
      );
    if (!options.isDryRun) await database.query('UPDATE engine_identity SET id = $1', [identity]);
  }
  const report: CopyReport = { identity, tables: [] };
  for (const { name, columns } of tables) {
    const rows = source
      .prepare<[], Record<string, unknown>>(`SELECT ${columns.join(', ')} FROM ${name} ORDER BY seq`)
      .all();
    const ids = rows.map((row) => String(row.id));
    const existing = new Set<string>();
    for (let start = 0; start < ids.length; start += batchSize) {
      const found = await database.query<{ id: string }>(
        `SELECT id FROM ${name} WHERE id = ANY($1::text[])`,
        [ids.slice(start, start + batchSize)],
      );
      for (const row of found.rows) existing.add(row.id);
    }
    const missing = rows.filter((row) => !existing.has(String(row.id)));
    if (!options.isDryRun) await insertRows(pool, name, columns, missing);
    report.tables.push({
      table: name,
      inSource: rows.length,
      copied: missing.length,
      alreadyThere: existing.size,
    });
  }
  return report;
}

async function insertRows(
  pool: pg.Pool,
  table: string,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
): Promise<void> {
  await inTransaction(pool, async (client) => {
    for (let start = 0; start < rows.length; start += batchSize) {
      const batch = rows.slice(start, start + batchSize);
      const arrays = columns.map((column) => batch.map((row) => (row[column] ?? null) as string | null));
      const selected = columns.map((_, index) => `$${index + 1}::text[]`);
      const casts = columns.map((column) =>
        jsonColumns.has(column)
          ? `${column}::jsonb`
          : // A chat thread named its owner in metadata only: row-level security reads the column.
            table === 'engine_threads' && column === 'owner'
            ? "coalesce(owner, data::jsonb->'metadata'->>'userId')"
            : column,
      );
      await client.query(
        `INSERT INTO ${table} (${columns.join(', ')})
         SELECT ${casts.join(', ')} FROM unnest(${selected.join(', ')}) AS source(${columns.join(', ')})
         ON CONFLICT (id) DO NOTHING`,
        arrays,
      );
    }
  });
}
