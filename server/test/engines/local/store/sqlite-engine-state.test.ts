import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { SqliteEngineState } from '../../../../src/engines/local/store/sqlite-engine-state.js';
import { openDatabase, type SqliteDatabase } from '../../../../src/sqlite/database.js';
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
