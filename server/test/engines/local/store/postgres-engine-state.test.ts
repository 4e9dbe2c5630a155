import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { newAssistant, newRun, newThread } from '../../../../src/engines/local/runs/run-objects.js';
import { postgresEngineMigrations } from '../../../../src/engines/local/store/postgres-engine-migrations.js';
import { PostgresEngineState } from '../../../../src/engines/local/store/postgres-engine-state.js';
import { migratePostgres, openPostgres } from '../../../../src/postgres/database.js';
import { announcePostgresSkip, pgInstallDir, startPostgresServer } from '../../../helpers/postgres-server.js';
import { engineStateContract } from './engine-state.contract.js';

announcePostgresSkip('engine state in PostgreSQL');

describe.skipIf(pgInstallDir === undefined)('engine state in PostgreSQL (real server, Unix socket)', () => {
  engineStateContract(async () => {
    const server = await startPostgresServer();
    const url = await server.createDatabase('engine');
    const pools: pg.Pool[] = [];
    // Each open is its own pool, as another instance would have; migrations run once.
    const open = async () => {
      const pool = openPostgres(url);
      pools.push(pool);
      return PostgresEngineState.open(pool);
    };
    return {
      state: await open(),
      reopen: open,
      cleanup: async () => {
        for (const pool of pools) await pool.end();
        await server.stop();
      },
    };
  });
});

describe.skipIf(pgInstallDir === undefined)(
  'the one-active-run migration in PostgreSQL over two active runs',
  () => {
    it('ends the older run failed, keeps the newer, and from then on refuses a second', async () => {
      const server = await startPostgresServer();
      const pool = openPostgres(await server.createDatabase('engine'));
      // What the race left, written as the database's superuser (past row-level security).
      const admin = openPostgres(server.adminUrl('engine'));
      try {
        await migratePostgres(pool, 'engine', postgresEngineMigrations.slice(0, -1));
        const thread = newThread([], null);
        const assistant = newAssistant({ model: 'm' });
        const [older, newer] = [1, 2].map(() =>
          newRun({ thread, assistant, model: 'm', instructions: null, tools: [], metadata: null }),
        );
        await admin.query('INSERT INTO engine_threads (id, data) VALUES ($1, $2)', [
          thread.id,
          JSON.stringify(thread),
        ]);
        for (const run of [older!, { ...newer!, status: 'in_progress' as const }])
          await admin.query('INSERT INTO engine_runs (id, thread_id, status, data) VALUES ($1, $2, $3, $4)', [
            run.id,
            thread.id,
            run.status,
            JSON.stringify(run),
          ]);

        const state = await PostgresEngineState.open(pool);
        expect(await state.runs.get(older!.id)).toMatchObject({
          status: 'failed',
          required_action: null,
          last_error: { code: 'server_error' },
        });
        expect((await state.runs.get(older!.id))?.failed_at).toEqual(expect.any(Number));
        expect(await state.activeRunIds(thread.id)).toEqual([newer!.id]);
      } finally {
        await admin.end();
        await pool.end();
        await server.stop();
      }
    });
  },
);
