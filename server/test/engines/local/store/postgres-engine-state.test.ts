import type pg from 'pg';
import { describe } from 'vitest';
import { PostgresEngineState } from '../../../../src/engines/local/store/postgres-engine-state.js';
import { openPostgres } from '../../../../src/postgres/database.js';
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
