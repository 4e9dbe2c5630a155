import type { ThreadSummary, TranscriptMessage } from '@threadline/shared';
import {
  MongoClient,
  MongoNetworkError,
  MongoServerSelectionError,
  MongoServerError,
  type AnyBulkWriteOperation,
  type Db,
} from 'mongodb';
import { decodeThreadCursor, encodeThreadCursor } from './thread-cursor.js';
import { defaultThreadTitle, messagePreview } from '../thread-text.js';
import type { RunRecord, StoredThread, TranscriptStore } from '../transcript-store.js';
import { normalizeBatch, runsOf } from '../writer/write-batch.js';

type ThreadDocument = {
  id: string;
  userId: string;
  title: string;
  isTitleCustom: boolean;
  engine: string;
  vectorStoreIds: string[];
  createdAt: Date;
  updatedAt: Date;
  messageCount: number;
  lastMessagePreview: string;
};
type MessageDocument = Omit<TranscriptMessage, 'createdAt' | 'completedAt'> & {
  userId: string;
  createdAt: Date;
  completedAt: Date | null;
};
type RunDocument = Omit<RunRecord, 'createdAt' | 'completedAt'> & {
  createdAt: Date;
  completedAt: Date | null;
};

const toDate = (iso: string) => new Date(iso);
const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const toStoredThread = (document: ThreadDocument): StoredThread => ({
  id: document.id,
  userId: document.userId,
  title: document.title,
  engine: document.engine,
  vectorStoreIds: document.vectorStoreIds,
  createdAt: document.createdAt.toISOString(),
  updatedAt: document.updatedAt.toISOString(),
  messageCount: document.messageCount,
  lastMessagePreview: document.lastMessagePreview,
});
const withoutOwner = ({ userId: _userId, ...summary }: StoredThread): ThreadSummary => summary;

/** Error labels and classes the driver uses for failures that a retry may outlive. */
function isTransientMongoError(error: unknown): boolean {
  if (error instanceof MongoNetworkError || error instanceof MongoServerSelectionError) return true;
  if (error instanceof MongoServerError) {
    // Duplicate key from two concurrent upserts of one id: the retry finds the document and updates it.
    return (
      error.code === 11000 ||
      error.hasErrorLabel('RetryableWriteError') ||
      error.hasErrorLabel('TransientTransactionError')
    );
  }
  return error instanceof Error && /timed out|ECONNREFUSED|ECONNRESET|pool/i.test(error.message);
}

export type MongoStoreOptions = { uri: string; dbName: string; serverSelectionTimeoutMs?: number };

/** The MongoDB store: collections `threads`, `messages`, `runs`, `deletedThreads`. */
export async function createMongoTranscriptStore(options: MongoStoreOptions): Promise<TranscriptStore> {
  const createClient = () =>
    new MongoClient(options.uri, {
      retryWrites: true,
      retryReads: true,
      maxPoolSize: 20,
      minPoolSize: 0,
      maxIdleTimeMS: 60_000,
      // Short, so a database that is down shows up in seconds and the writer falls back to the outbox.
      serverSelectionTimeoutMS: options.serverSelectionTimeoutMs ?? 2000,
      connectTimeoutMS: 2000,
      socketTimeoutMS: 20_000,
      heartbeatFrequencyMS: 5000,
      appName: 'threadline',
    });
  let connecting: Promise<MongoClient> | null = null;
  let isClosed = false;
  // Once connected, the driver rides out outages itself; but a client whose *first* connect failed
  // stays closed for good, so until then each attempt starts from a fresh client.
  const connect = async (): Promise<Db> => {
    if (isClosed) throw new Error('transcript store is closed');
    connecting ??= createClient()
      .connect()
      .catch((error: unknown) => {
        connecting = null;
        throw error;
      });
    return (await connecting).db(options.dbName);
  };
  const collections = async () => {
    const db = await connect();
    return {
      db,
      threads: db.collection<ThreadDocument>('threads'),
      messages: db.collection<MessageDocument>('messages'),
      runs: db.collection<RunDocument>('runs'),
      deletedThreads: db.collection<{ id: string; deletedAt: Date }>('deletedThreads'),
    };
  };

  let hasIndexes = false;
  // Created lazily (and again after a failure) so the app starts even while the database is down.
  const ensureIndexes = async () => {
    if (hasIndexes) return;
    const { threads, messages, runs, deletedThreads } = await collections();
    await Promise.all([
      messages.createIndex({ id: 1 }, { unique: true, name: 'message_id_unique' }),
      messages.createIndex({ threadId: 1, createdAt: 1 }, { name: 'messages_by_thread_time' }),
      threads.createIndex({ id: 1 }, { unique: true, name: 'thread_id_unique' }),
      threads.createIndex({ userId: 1, updatedAt: -1, id: -1 }, { name: 'threads_by_owner_updated' }),
      runs.createIndex({ id: 1 }, { unique: true, name: 'run_id_unique' }),
      runs.createIndex({ threadId: 1, createdAt: 1 }, { name: 'runs_by_thread_time' }),
      deletedThreads.createIndex({ id: 1 }, { unique: true, name: 'deleted_thread_id_unique' }),
    ]);
    hasIndexes = true;
  };

  const refreshThreadStats = async (threadIds: string[]) => {
    if (threadIds.length === 0) return;
    const { threads, messages } = await collections();
    const [stats, firstUserMessages] = await Promise.all([
      messages
        .aggregate<{ _id: string; count: number; lastText: string; lastAt: Date }>([
          { $match: { threadId: { $in: threadIds } } },
          { $sort: { createdAt: 1, id: 1 } },
          {
            $group: {
              _id: '$threadId',
              count: { $sum: 1 },
              lastText: { $last: '$text' },
              lastAt: { $max: { $ifNull: ['$completedAt', '$createdAt'] } },
            },
          },
        ])
        .toArray(),
      messages
        .aggregate<{ _id: string; text: string }>([
          { $match: { threadId: { $in: threadIds }, role: 'user' } },
          { $sort: { createdAt: 1, id: 1 } },
          { $group: { _id: '$threadId', text: { $first: '$text' } } },
        ])
        .toArray(),
    ]);
    const operations: AnyBulkWriteOperation<ThreadDocument>[] = stats.flatMap((stat) => [
      {
        updateOne: {
          filter: { id: stat._id },
          update: {
            $set: { messageCount: stat.count, lastMessagePreview: messagePreview(stat.lastText) },
            $max: { updatedAt: stat.lastAt },
          },
        },
      },
    ]);
    for (const first of firstUserMessages) {
      operations.push({
        updateOne: {
          filter: { id: first._id, title: '' },
          update: { $set: { title: defaultThreadTitle(first.text) } },
        },
      });
    }
    if (operations.length > 0) await threads.bulkWrite(operations, { ordered: false });
  };

  const getThread = async (userId: string, threadId: string) => {
    const { threads } = await collections();
    const document = await threads.findOne({ id: threadId, userId });
    return document ? toStoredThread(document) : null;
  };

  return {
    kind: 'mongodb',
    async writeBatch(batch) {
      await ensureIndexes();
      const { threads, messages, runs, deletedThreads } = await collections();
      const normalized = normalizeBatch(batch);
      const threadIds = [
        ...new Set([
          ...normalized.threads.map((thread) => thread.id),
          ...normalized.messages.map((m) => m.threadId),
        ]),
      ];
      const deleted = new Set(
        (await deletedThreads.find({ id: { $in: threadIds } }).toArray()).map((document) => document.id),
      );
      const liveThreads = normalized.threads.filter((thread) => !deleted.has(thread.id));
      const liveMessages = normalized.messages.filter((message) => !deleted.has(message.threadId));

      const threadOperations: AnyBulkWriteOperation<ThreadDocument>[] = liveThreads.flatMap((thread) => [
        {
          updateOne: {
            filter: { id: thread.id },
            update: {
              $setOnInsert: {
                userId: thread.userId,
                title: thread.title,
                isTitleCustom: false,
                messageCount: 0,
                lastMessagePreview: '',
              },
              $set: { engine: thread.engine, vectorStoreIds: thread.vectorStoreIds },
              $min: { createdAt: toDate(thread.createdAt) },
              $max: { updatedAt: toDate(thread.updatedAt) },
            },
            upsert: true,
          },
        },
        // Separate (and order-independent) so a user's rename survives: it only touches automatic titles.
        ...(thread.title === ''
          ? []
          : [
              {
                updateOne: {
                  filter: { id: thread.id, isTitleCustom: false },
                  update: { $set: { title: thread.title } },
                },
              },
            ]),
      ]);
      const messageOperations: AnyBulkWriteOperation<MessageDocument>[] = liveMessages.map(
        ({ id, ...message }) => ({
          updateOne: {
            filter: { id },
            update: {
              $set: {
                ...message,
                createdAt: toDate(message.createdAt),
                completedAt: message.completedAt === null ? null : toDate(message.completedAt),
              },
            },
            upsert: true,
          },
        }),
      );
      const runOperations: AnyBulkWriteOperation<RunDocument>[] = runsOf(liveMessages).map(
        ({ id, ...run }) => ({
          updateOne: {
            filter: { id },
            update: {
              $set: {
                ...run,
                createdAt: toDate(run.createdAt),
                completedAt: run.completedAt === null ? null : toDate(run.completedAt),
              },
            },
            upsert: true,
          },
        }),
      );
      await Promise.all([
        threadOperations.length > 0 ? threads.bulkWrite(threadOperations, { ordered: false }) : undefined,
        messageOperations.length > 0 ? messages.bulkWrite(messageOperations, { ordered: false }) : undefined,
        runOperations.length > 0 ? runs.bulkWrite(runOperations, { ordered: false }) : undefined,
      ]);
      await refreshThreadStats(threadIds.filter((threadId) => !deleted.has(threadId)));
    },
    isTransientError: isTransientMongoError,
    async findThreadOwner(threadId) {
      const { threads } = await collections();
      const document = await threads.findOne({ id: threadId }, { projection: { userId: 1 } });
      return document?.userId ?? null;
    },
    getThread,
    async listThreads(userId, query) {
      const { threads, messages } = await collections();
      const conditions: object[] = [{ userId }];
      if (query.cursor !== undefined) {
        const cursor = decodeThreadCursor(query.cursor);
        const at = toDate(cursor.updatedAt);
        conditions.push({ $or: [{ updatedAt: { $lt: at } }, { updatedAt: at, id: { $lt: cursor.id } }] });
      }
      const search = query.q?.trim();
      if (search) {
        const pattern = { $regex: escapeRegex(search), $options: 'i' };
        const matching = await messages.distinct('threadId', { userId, text: pattern });
        conditions.push({ $or: [{ title: pattern }, { id: { $in: matching } }] });
      }
      const documents = await threads
        .find({ $and: conditions })
        .sort({ updatedAt: -1, id: -1 })
        .limit(query.limit + 1)
        .toArray();
      const page = documents.slice(0, query.limit).map(toStoredThread);
      const last = page.at(-1);
      return {
        data: page.map(withoutOwner),
        nextCursor: documents.length > query.limit && last ? encodeThreadCursor(last) : null,
      };
    },
    async listMessages(userId, threadId) {
      const { messages } = await collections();
      const documents = await messages.find({ threadId, userId }).sort({ createdAt: 1, id: 1 }).toArray();
      return documents.map(({ _id, userId: _userId, createdAt, completedAt, ...message }) => ({
        ...message,
        createdAt: createdAt.toISOString(),
        completedAt: completedAt?.toISOString() ?? null,
      }));
    },
    async listRuns(userId, threadId) {
      const { runs } = await collections();
      const documents = await runs.find({ threadId, userId }).sort({ createdAt: 1, id: 1 }).toArray();
      return documents.map(({ _id, createdAt, completedAt, ...run }) => ({
        ...run,
        createdAt: createdAt.toISOString(),
        completedAt: completedAt?.toISOString() ?? null,
      }));
    },
    async renameThread(userId, threadId, title) {
      const { threads } = await collections();
      const result = await threads.updateOne(
        { id: threadId, userId },
        { $set: { title: title.trim(), isTitleCustom: true } },
      );
      return result.matchedCount === 0 ? null : getThread(userId, threadId);
    },
    async deleteThread(userId, threadId) {
      const { threads, messages, runs, deletedThreads } = await collections();
      const existing = await threads.findOne({ id: threadId }, { projection: { userId: 1 } });
      if (existing && existing.userId !== userId) return false;
      // The tombstone goes first: a writer batch racing this delete then drops its writes.
      await deletedThreads.updateOne(
        { id: threadId },
        { $setOnInsert: { deletedAt: new Date() } },
        { upsert: true },
      );
      await Promise.all([
        threads.deleteOne({ id: threadId }),
        messages.deleteMany({ threadId }),
        runs.deleteMany({ threadId }),
      ]);
      return existing !== null;
    },
    async ping() {
      try {
        const { db } = await collections();
        await db.command({ ping: 1 }, { timeoutMS: 1000 });
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      isClosed = true;
      const client = await connecting?.catch(() => null);
      await client?.close();
    },
  };
}
