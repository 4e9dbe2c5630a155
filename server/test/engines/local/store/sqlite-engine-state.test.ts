import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { newAssistant, newRun, newThread } from '../../../../src/engines/local/runs/run-objects.js';
import { engineMigrations } from '../../../../src/engines/local/store/engine-migrations.js';
import { SqliteEngineState } from '../../../../src/engines/local/store/sqlite-engine-state.js';
import { migrate, openDatabase, type SqliteDatabase } from '../../../../src/sqlite/database.js';
import { LocalAssistants } from '../../../../src/engines/local/threads/local-assistants.js';
import { engineStateContract } from './engine-state.contract.js';

describe('engine state in the embedded SQLite file', () => {
  engineStateContract(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-engine-state-'));
    const databases: SqliteDatabase[] = [];
    const open = () => {
      const database = openDatabase(dataDir);
      databases.push(database);
      return new SqliteEngineState(database);
    };
    return {
      state: open(),
      reopen: async () => open(),
      cleanup: async () => {
        for (const database of databases) database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
});

describe('the one-active-run migration over an embedded file a race left two active runs in', () => {
  it('ends the older run failed, keeps the newer, and from then on refuses a second', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-engine-state-'));
    const database = openDatabase(dataDir);
    try {
      migrate(database, 'engine', engineMigrations.slice(0, -1));
      const thread = newThread([], null);
      const assistant = newAssistant({ model: 'm' });
      const [older, newer] = [1, 2].map(() =>
        newRun({ thread, assistant, model: 'm', instructions: null, tools: [], metadata: null }),
      );
      database
        .prepare('INSERT INTO engine_threads (id, data) VALUES (?, ?)')
        .run(thread.id, JSON.stringify(thread));
      for (const run of [older!, { ...newer!, status: 'in_progress' as const }])
        database
          .prepare('INSERT INTO engine_runs (id, thread_id, status, data) VALUES (?, ?, ?, ?)')
          .run(run.id, thread.id, run.status, JSON.stringify(run));

      const state = new SqliteEngineState(database);
      expect(await state.runs.get(older!.id)).toMatchObject({
        status: 'failed',
        required_action: null,
        last_error: { code: 'server_error' },
      });
      expect((await state.runs.get(older!.id))?.failed_at).toEqual(expect.any(Number));
      expect(await state.activeRunIds(thread.id)).toEqual([newer!.id]);
    } finally {
      database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the built-in assistant when two engines start together on one database', () => {
  it('is made once, and neither engine fails for finding it made meanwhile', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-engine-state-'));
    const database = openDatabase(dataDir);
    try {
      const state = new SqliteEngineState(database);
      // Both look before either inserts (as two instances starting on a fresh PostgreSQL do).
      const [first, second] = [new LocalAssistants(state), new LocalAssistants(state)];
      await Promise.all([first.ensureDefault('m'), second.ensureDefault('m')]);
      expect((await state.assistants.get('asst_threadline'))?.model).toBe('m');
    } finally {
      database.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
