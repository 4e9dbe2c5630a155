import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { createMongoRecords } from '../../src/ownership/mongo-owners.js';
import { mirroredRecords } from '../../src/ownership/mirrored-records.js';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database.js';
import { announceMongoSkip, mongoTestUri } from '../helpers/mongo-test-uri.js';
import { ownerRecordsContract } from './owner-records.contract.js';

announceMongoSkip('owner records in MongoDB');

const dropDatabase = async (dbName: string) => {
  const client = await MongoClient.connect(mongoTestUri, { serverSelectionTimeoutMS: 5000 });
  await client.db(dbName).dropDatabase();
  await client.close();
};

describe.skipIf(mongoTestUri === '')('owner records in MongoDB', () => {
  ownerRecordsContract(async () => {
    const dbName = `threadline_owners_${randomUUID().slice(0, 8)}`;
    return {
      open: (scope) => createMongoRecords({ uri: mongoTestUri, dbName, scope }),
      cleanup: () => dropDatabase(dbName),
    };
  });
});

describe.skipIf(mongoTestUri === '')(
  'owner records in MongoDB, through each instance’s copy (as the app uses them)',
  () => {
    ownerRecordsContract(async () => {
      const dbName = `threadline_owners_${randomUUID().slice(0, 8)}`;
      const dataDir = mkdtempSync(join(tmpdir(), 'threadline-mirror-'));
      const databases: SqliteDatabase[] = [];
      return {
        // Each opening is another instance: its own embedded database.
        open: async (scope) => {
          const database = openDatabase(join(dataDir, String(databases.length)));
          databases.push(database);
          return mirroredRecords(
            await createMongoRecords({ uri: mongoTestUri, dbName, scope }),
            database,
            scope,
          );
        },
        cleanup: async () => {
          for (const database of databases) database.close();
          rmSync(dataDir, { recursive: true, force: true });
          await dropDatabase(dbName);
        },
      };
    });
  },
);
