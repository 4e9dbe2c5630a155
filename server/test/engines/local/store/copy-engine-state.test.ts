import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import pg from 'pg';
import { actAs } from '../../../../src/common/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../../../src/engines/local/local-engine.js';
import { copyEngineState } from '../../../../src/engines/local/store/copy-engine-state.js';
import { openSharedEngineState } from '../../../../src/engines/local/store/shared-engine-state.js';
import { openPostgres } from '../../../../src/postgres/database.js';
import { openDatabase } from '../../../../src/sqlite/database.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../../helpers/postgres-server.js';
import { testConfig } from '../../../helpers/test-config.js';

announcePostgresSkip('copying the engine state into PostgreSQL');

describe.skipIf(pgInstallDir === undefined)('copying an SQLite engine into PostgreSQL', () => {
  let server: PostgresTestServer;
  let pool: pg.Pool;
  let url: string;
  const config = testConfig();
  beforeAll(async () => {
    server = await startPostgresServer();
    url = await server.createDatabase('migrated');
    pool = openPostgres(url);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    config.cleanup();
  });

  it('copies every row once under the same identity, dry run first, and the engine reads them back', async () => {
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    const embedded = new LocalEngine({ database, knowledge, config });
    const thread = await embedded.createThread({
      messages: [{ content: 'How do I undo a commit?' }],
      owner: 'alice',
    });
    const { run } = await embedded.startRun(thread.id, {}, false);
    await embedded.settle(run.id);
    const messages = await embedded.listMessages(thread.id, { order: 'asc' });
    const steps = await embedded.listSteps(thread.id, run.id, { limit: 10, order: 'asc' });

    const dry = await copyEngineState(database, pool, { isDryRun: true });
    expect(dry.identity).toBe(embedded.identity.replace('local:', ''));
    expect(dry.tables.find((row) => row.table === 'engine_messages')).toMatchObject({
      inSource: 2,
      copied: 2,
    });
    // As the superuser: row-level security would hide Alice's rows from this pool anyway.
    const admin = new pg.Client({ connectionString: server.adminUrl('migrated') });
    await admin.connect();
    const messageRows = async () =>
      (await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM engine_messages')).rows[0];
    expect(await messageRows()).toEqual({ count: 0 });

    const first = await copyEngineState(database, pool, { isDryRun: false });
    expect(first.tables.map((row) => row.copied)).toEqual(first.tables.map((row) => row.inSource));
    const again = await copyEngineState(database, pool, { isDryRun: false });
    expect(again.tables.map((row) => row.copied)).toEqual([0, 0, 0, 0, 0]);
    expect(await messageRows()).toEqual({ count: 2 });
    await admin.end();

    const sharedState = await openSharedEngineState(url);
    const shared = new LocalEngine({ database, knowledge, config, sharedState });
    expect(shared.identity).toBe(embedded.identity);
    // Alice's rows, as Alice's requests read them (row-level security): another user sees none.
    expect(await actAs('bob', () => shared.getThread(thread.id))).toBeNull();
    await actAs('alice', async () => {
      expect(await shared.getThread(thread.id)).toEqual(thread);
      expect(await shared.threadOwner(thread.id)).toBe('alice');
      expect(await shared.listMessages(thread.id, { order: 'asc' })).toEqual(messages);
      expect(await shared.getRun(thread.id, run.id)).toEqual(await embedded.getRun(thread.id, run.id));
      expect(await shared.listSteps(thread.id, run.id, { limit: 10, order: 'asc' })).toEqual(steps);
      expect(await shared.store.runContext(run.id)).toEqual(await embedded.store.runContext(run.id));
    });
    await sharedState.close();
    await embedded.close();
    database.close();
  });

  it('runs as npm run migrate:engine, and says what a dry run would copy', () => {
    const output = execFileSync(
      'npx',
      [
        'tsx',
        'scripts/migrate-engine.ts',
        '--dry-run',
        '--from',
        join(config.DATA_DIR, 'threadline.db'),
        '--to',
        url,
      ],
      { cwd: join(import.meta.dirname, '../../../../..'), encoding: 'utf8' },
    );
    expect(output).toContain('dry run: would copy');
    expect(output).toMatch(/engine_messages\s+2\s+0\s+2/);
  });
});
