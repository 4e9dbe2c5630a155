import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openDatabase } from '../../src/sqlite/database.js';
import { createSqliteRecords } from '../../src/ownership/sqlite-owners.js';
import { ownerRecordsContract } from './owner-records.contract.js';

describe('owner records in the embedded SQLite file', () => {
  ownerRecordsContract(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-owners-'));
    // Two connections to one file, as two processes sharing a DATA_DIR would have.
    const databases = [openDatabase(dataDir), openDatabase(dataDir)];
    let next = 0;
    return {
      open: async (scope) => createSqliteRecords(databases[next++ % 2]!, scope),
      cleanup: async () => {
        for (const database of databases) database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
});
