import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe } from 'vitest';
import { createMongoRecords } from '../../src/ownership/index.js';
import { announceMongoSkip, mongoTestUri } from '../helpers/mongo-test-uri.js';
import { ownerRecordsContract } from './owner-records.contract.js';

announceMongoSkip('owner records in MongoDB');

describe.skipIf(mongoTestUri === '')('owner records in MongoDB', () => {
  ownerRecordsContract(async () => {
    const dbName = `threadline_owners_${randomUUID().slice(0, 8)}`;
    return {
      open: (scope) => createMongoRecords({ uri: mongoTestUri, dbName, scope }),
      cleanup: async () => {
        const client = await MongoClient.connect(mongoTestUri, { serverSelectionTimeoutMS: 5000 });
        await client.db(dbName).dropDatabase();
        await client.close();
      },
    };
  });
});
