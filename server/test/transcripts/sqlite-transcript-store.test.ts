import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe } from 'vitest';
import { openDatabase } from '../../src/sqlite/database.js';
import { createSqliteTranscriptStore } from '../../src/transcripts/stores/sqlite-transcript-store.js';
import { transcriptStoreContract } from './transcript-store.contract.js';

describe('SQLite transcript store', () => {
  transcriptStoreContract(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-transcripts-'));
    const database = openDatabase(dataDir);
    return {
      store: createSqliteTranscriptStore(database),
      cleanup: async () => {
        database.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  });
});
