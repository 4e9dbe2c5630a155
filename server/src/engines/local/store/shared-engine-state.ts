import { openPostgres } from '../../../postgres/index.js';
import type { SharedEngineState } from './engine-state.js';
import { PostgresEngineState } from './postgres-engine-state.js';

/**
 * The engine's state in the PostgreSQL database `ENGINE_DATABASE_URL` names: migrated (once,
 * whichever instance starts first), its identity read, ready for LocalEngine's `sharedState`.
 */
export async function openSharedEngineState(connectionString: string): Promise<SharedEngineState> {
  const pool = openPostgres(connectionString);
  try {
    const state = await PostgresEngineState.open(pool);
    return { state, identity: await state.identity(), close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
