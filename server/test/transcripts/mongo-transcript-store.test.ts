import { randomUUID } from 'node:crypto';
import { MongoClient } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { createMongoTranscriptStore } from '../../src/transcripts/stores/mongo-transcript-store.js';
import { announceMongoSkip, mongoTestUri } from '../helpers/mongo-test-uri.js';
import { threadFixture, userMessageFixture } from '../helpers/transcript-fixtures.js';
import { transcriptStoreContract } from './transcript-store.contract.js';

announceMongoSkip('MongoDB transcript store');

describe.skipIf(mongoTestUri === '')('MongoDB transcript store', () => {
  const dbName = `threadline_test_${randomUUID().slice(0, 8)}`;
  const dropDatabase = async () => {
    const client = await MongoClient.connect(mongoTestUri, { serverSelectionTimeoutMS: 5000 });
    await client.db(dbName).dropDatabase();
    await client.close();
  };

  transcriptStoreContract(async () => {
    const store = await createMongoTranscriptStore({ uri: mongoTestUri, dbName });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropDatabase();
      },
    };
  });

  it('creates the explicit indexes, the message id one unique', async () => {
    const store = await createMongoTranscriptStore({ uri: mongoTestUri, dbName });
    const thread = threadFixture();
    await store.writeBatch({ threads: [thread], messages: [userMessageFixture(thread, 'index me')] });
    await store.close();
    const client = await MongoClient.connect(mongoTestUri);
    const messageIndexes = await client.db(dbName).collection('messages').indexes();
    const threadIndexes = await client.db(dbName).collection('threads').indexes();
    await client.close();
    expect(messageIndexes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: 'message_id_unique', unique: true, key: { id: 1 } }),
        expect.objectContaining({ name: 'messages_by_thread_time', key: { threadId: 1, createdAt: 1 } }),
      ]),
    );
    expect(threadIndexes).toEqual(
      expect.arrayContaining([expect.objectContaining({ key: { userId: 1, updatedAt: -1, id: -1 } })]),
    );
  });

  it('reports a database that is down quickly, as a transient error', async () => {
    const store = await createMongoTranscriptStore({
      uri: 'mongodb://127.0.0.1:9/?directConnection=true',
      dbName,
      serverSelectionTimeoutMs: 300,
    });
    const started = Date.now();
    const error = await store.writeBatch({ threads: [threadFixture()], messages: [] }).then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(store.isTransientError(error)).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await store.ping()).toBe(false);
    await store.close();
  });
});
