import { MongoClient, MongoServerError, type Db } from 'mongodb';
import { recordsUnavailable, type SharedRecords } from './owner-records.js';

type OwnerDocument = { _id: string; scope: string; kind: string; id: string; userId: string };
type DefaultsDocument = {
  _id: string;
  scope: string;
  userId: string;
  vectorStoreIds: string[];
  updatedAt: Date;
};
type ClaimDocument = { _id: string; holder: string; expiresAt: Date };

const isDuplicateKey = (error: unknown) => error instanceof MongoServerError && error.code === 11000;

/**
 * The records in MongoDB (MONGODB_URI), beside the transcripts: collections `owners`,
 * `defaultStores` and `defaultStoreClaims`. Each document's `_id` is its key (scope, kind and id;
 * scope and user), so the uniqueness set-if-absent relies on needs no index of its own.
 */
export async function createMongoRecords(options: {
  uri: string;
  dbName: string;
  scope: string;
}): Promise<SharedRecords> {
  const { scope } = options;
  const client = new MongoClient(options.uri, {
    retryWrites: true,
    retryReads: true,
    maxPoolSize: 10,
    // Short, so a database that is down is a 503 in seconds rather than a hung request.
    serverSelectionTimeoutMS: 2000,
    connectTimeoutMS: 2000,
    socketTimeoutMS: 10_000,
    appName: 'threadline-ownership',
  });
  // Connected on first use, so the app starts while the database is down; the driver then rides
  // out outages itself, and a first connection that failed is tried again on the next request.
  let connecting: Promise<Db> | null = null;
  const database = () =>
    (connecting ??= client
      .connect()
      .then(() => client.db(options.dbName))
      .catch((error: unknown) => {
        connecting = null;
        throw error;
      }));
  const collections = async () => {
    const db = await database();
    return {
      owners: db.collection<OwnerDocument>('owners'),
      defaults: db.collection<DefaultsDocument>('defaultStores'),
      claims: db.collection<ClaimDocument>('defaultStoreClaims'),
    };
  };
  const command = async <T>(
    run: (all: Awaited<ReturnType<typeof collections>>) => Promise<T>,
  ): Promise<T> => {
    try {
      return await run(await collections());
    } catch (error) {
      throw recordsUnavailable('mongodb', error);
    }
  };
  /** Inserts unless the key exists; whether it did. */
  const insertUnlessPresent = async (insert: () => Promise<unknown>): Promise<boolean> => {
    try {
      await insert();
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  };
  const ownerId = (kind: string, id: string) => `${scope}:${kind}:${id}`;
  const userKey = (userId: string) => `${scope}:${userId}`;

  return {
    home: 'mongodb',
    owners: {
      record: (kind, id, userId) =>
        command(async ({ owners }) => {
          await insertUnlessPresent(() =>
            owners.insertOne({ _id: ownerId(kind, id), scope, kind, id, userId }),
          );
        }),
      ownerOf: (kind, id) =>
        command(async ({ owners }) => (await owners.findOne({ _id: ownerId(kind, id) }))?.userId ?? null),
      forget: (kind, id) =>
        command(async ({ owners }) => void (await owners.deleteOne({ _id: ownerId(kind, id) }))),
    },
    defaults: {
      get: (userId) =>
        command(
          async ({ defaults }) => (await defaults.findOne({ _id: userKey(userId) }))?.vectorStoreIds ?? null,
        ),
      putIfAbsent: (userId, ids) =>
        command(({ defaults }) =>
          insertUnlessPresent(() =>
            defaults.insertOne({
              _id: userKey(userId),
              scope,
              userId,
              vectorStoreIds: [...ids],
              updatedAt: new Date(),
            }),
          ),
        ),
      put: (userId, ids) =>
        command(async ({ defaults }) => {
          await defaults.replaceOne(
            { _id: userKey(userId) },
            { scope, userId, vectorStoreIds: [...ids], updatedAt: new Date() },
            { upsert: true },
          );
        }),
      claim: (userId, holder, ttlMs) =>
        command(async ({ claims }) => {
          const now = new Date();
          const expiresAt = new Date(now.getTime() + ttlMs);
          const key = userKey(userId);
          if (await insertUnlessPresent(() => claims.insertOne({ _id: key, holder, expiresAt }))) return true;
          // Held: renew it if it is ours, take it over if its holder let it expire (died).
          const taken = await claims.updateOne(
            { _id: key, $or: [{ holder }, { expiresAt: { $lte: now } }] },
            { $set: { holder, expiresAt } },
          );
          return taken.matchedCount === 1;
        }),
      release: (userId, holder) =>
        command(async ({ claims }) => void (await claims.deleteOne({ _id: userKey(userId), holder }))),
    },
    close: () => client.close(),
  };
}
