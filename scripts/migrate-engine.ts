/**
 * npm run migrate:engine -- [--dry-run] [--from <sqlite file>] [--to <postgres url>]
 *
 * Copies the local engine's threads, messages, runs, run steps and assistants from the embedded
 * SQLite file (default: DATA_DIR/threadline.db) into PostgreSQL (default: ENGINE_DATABASE_URL),
 * under the same engine identity, and its knowledge base — files with their bytes (from
 * DATA_DIR/files beside the SQLite file), vector stores, chunks and their vectors (no re-embedding);
 * run it again and it copies only what is new.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { copyEngineState } from '../server/src/engines/local/store/copy-engine-state.js';
import { copyKnowledge } from '../server/src/engines/local/knowledge/copy-knowledge.js';
import { openPostgres } from '../server/src/postgres/database.js';

const { values } = parseArgs({
  options: {
    'dry-run': { type: 'boolean', default: false },
    from: { type: 'string' },
    to: { type: 'string' },
  },
});
const from = resolve(values.from ?? join(process.env.DATA_DIR ?? './data', 'threadline.db'));
const to = values.to ?? process.env.ENGINE_DATABASE_URL;
if (!existsSync(from)) {
  console.error(`No SQLite engine database at ${from} (give --from or DATA_DIR).`);
  process.exit(2);
}
if (!to) {
  console.error('No PostgreSQL database to copy into (give --to or ENGINE_DATABASE_URL).');
  process.exit(2);
}
// Read-only: the source is never changed, even by a migration of its own.
const source = new Database(from, { readonly: true, fileMustExist: true });
const pool = openPostgres(to, 2);
try {
  const isDryRun = values['dry-run'];
  const report = await copyEngineState(source, pool, { isDryRun });
  console.log(`${isDryRun ? 'dry run: would copy' : 'copied'} engine ${report.identity} from ${from}`);
  console.log('table              in SQLite   copied   already there');
  const knowledge = await copyKnowledge(source, dirname(from), pool, { isDryRun });
  for (const row of [...report.tables, ...knowledge]) {
    console.log(
      `${row.table.padEnd(18)} ${String(row.inSource).padStart(9)} ${String(row.copied).padStart(8)} ${String(row.alreadyThere).padStart(15)}`,
    );
  }
} finally {
  source.close();
  await pool.end();
}
