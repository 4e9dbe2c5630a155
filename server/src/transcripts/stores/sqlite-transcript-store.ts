import {
  citationSchema,
  transcriptMessageSchema,
  type ThreadSummary,
  type TranscriptMessage,
} from '@threadline/shared';
import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../../sqlite/index.js';
import { decodeThreadCursor, encodeThreadCursor } from './thread-cursor.js';
import { defaultThreadTitle, messagePreview } from '../thread-text.js';
import type {
  RunRecord,
  StoredThread,
  ThreadPage,
  ThreadPageQuery,
  TranscriptStore,
  WriteBatch,
} from '../transcript-store.js';
import { normalizeBatch, runsOf } from '../writer/write-batch.js';

const migrations = [
  `CREATE TABLE transcript_threads (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, title TEXT NOT NULL, is_title_custom INTEGER NOT NULL DEFAULT 0,
     engine TEXT NOT NULL, vector_store_ids TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
     message_count INTEGER NOT NULL DEFAULT 0, last_message_preview TEXT NOT NULL DEFAULT '');
   CREATE INDEX transcript_threads_by_owner ON transcript_threads (user_id, updated_at DESC, id DESC);
   CREATE TABLE transcript_messages (
     id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, text TEXT NOT NULL,
     citations TEXT NOT NULL, run_id TEXT, run_status TEXT, model TEXT, usage TEXT,
     created_at TEXT NOT NULL, completed_at TEXT);
   CREATE INDEX transcript_messages_by_thread ON transcript_messages (thread_id, created_at, id);
   CREATE TABLE transcript_runs (
     id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, user_id TEXT NOT NULL, message_id TEXT NOT NULL, status TEXT NOT NULL,
     model TEXT, usage TEXT, created_at TEXT NOT NULL, completed_at TEXT);
   CREATE INDEX transcript_runs_by_thread ON transcript_runs (thread_id, created_at);
   CREATE TABLE transcript_deleted_threads (id TEXT PRIMARY KEY, deleted_at TEXT NOT NULL);`,
];

type ThreadRow = {
  id: string;
  user_id: string;
  title: string;
  engine: string;
  vector_store_ids: string;
  created_at: string;
  updated_at: string;
  message_count: number;
  last_message_preview: string;
};
type MessageRow = {
  id: string;
  thread_id: string;
  role: string;
  text: string;
  citations: string;
  run_id: string | null;
  run_status: string | null;
  model: string | null;
  usage: string | null;
  created_at: string;
  completed_at: string | null;
};
type RunRow = Omit<RunRecord, 'threadId' | 'userId' | 'messageId' | 'usage' | 'createdAt' | 'completedAt'> & {
  thread_id: string;
  user_id: string;
  message_id: string;
  usage: string | null;
  created_at: string;
  completed_at: string | null;
};

const stringList = z.array(z.string());
const usageSchema = transcriptMessageSchema.shape.usage;
const runStatusSchema = transcriptMessageSchema.shape.runStatus.unwrap();
const parseJson = <T>(schema: z.ZodType<T>, text: string): T => schema.parse(JSON.parse(text));

const toSummary = (row: ThreadRow): StoredThread => ({
  id: row.id,
  userId: row.user_id,
  title: row.title,
  engine: row.engine,
  vectorStoreIds: parseJson(stringList, row.vector_store_ids),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  messageCount: row.message_count,
  lastMessagePreview: row.last_message_preview,
});

const withoutOwner = ({ userId: _userId, ...summary }: StoredThread): ThreadSummary => summary;

const toMessage = (row: MessageRow): TranscriptMessage =>
  transcriptMessageSchema.parse({
    id: row.id,
    threadId: row.thread_id,
    role: row.role,
    text: row.text,
    citations: parseJson(z.array(citationSchema), row.citations),
    runId: row.run_id,
    runStatus: row.run_status,
    model: row.model,
    usage: row.usage === null ? null : parseJson(usageSchema, row.usage),
    createdAt: row.created_at,
    completedAt: row.completed_at,
  });

/** The embedded store, in the shared database file (tables `transcript_*`). */
export function createSqliteTranscriptStore(database: SqliteDatabase): TranscriptStore {
  migrate(database, 'transcript', migrations);
  // SQLite's lower() and LIKE fold ASCII only; search must be case-insensitive for every script.
  database.function('transcript_fold', { deterministic: true }, (text: unknown) =>
    typeof text === 'string' ? text.toLocaleLowerCase('und') : null,
  );

  const isDeleted = database.prepare<[string], { id: string }>(
    'SELECT id FROM transcript_deleted_threads WHERE id = ?',
  );
  const upsertThread = database.prepare(
    `INSERT INTO transcript_threads (id, user_id, title, engine, vector_store_ids, created_at, updated_at)
     VALUES (@id, @userId, @title, @engine, @vectorStoreIds, @createdAt, @updatedAt)
     ON CONFLICT (id) DO UPDATE SET
       title = CASE WHEN is_title_custom = 1 OR excluded.title = '' THEN title ELSE excluded.title END,
       engine = excluded.engine, vector_store_ids = excluded.vector_store_ids,
       created_at = MIN(created_at, excluded.created_at), updated_at = MAX(updated_at, excluded.updated_at)`,
  );
  const upsertMessage = database.prepare(
    `INSERT INTO transcript_messages (id, thread_id, user_id, role, text, citations, run_id, run_status, model, usage, created_at, completed_at)
     VALUES (@id, @threadId, @userId, @role, @text, @citations, @runId, @runStatus, @model, @usage, @createdAt, @completedAt)
     ON CONFLICT (id) DO UPDATE SET text = excluded.text, citations = excluded.citations, run_id = excluded.run_id,
       run_status = excluded.run_status, model = excluded.model, usage = excluded.usage, completed_at = excluded.completed_at`,
  );
  const upsertRun = database.prepare(
    `INSERT INTO transcript_runs (id, thread_id, user_id, message_id, status, model, usage, created_at, completed_at)
     VALUES (@id, @threadId, @userId, @messageId, @status, @model, @usage, @createdAt, @completedAt)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, model = excluded.model, usage = excluded.usage,
       message_id = excluded.message_id, completed_at = excluded.completed_at`,
  );
  const threadStats = database.prepare<
    [{ id: string }],
    { count: number; last_text: string | null; last_at: string | null; first_user_text: string | null }
  >(
    `SELECT COUNT(*) AS count,
       (SELECT text FROM transcript_messages WHERE thread_id = @id ORDER BY created_at DESC, id DESC LIMIT 1) AS last_text,
       (SELECT MAX(COALESCE(completed_at, created_at)) FROM transcript_messages WHERE thread_id = @id) AS last_at,
       (SELECT text FROM transcript_messages WHERE thread_id = @id AND role = 'user' ORDER BY created_at, id LIMIT 1) AS first_user_text
     FROM transcript_messages WHERE thread_id = @id`,
  );
  const applyStats = database.prepare(
    `UPDATE transcript_threads SET message_count = @count, last_message_preview = @preview,
       updated_at = MAX(updated_at, COALESCE(@lastAt, updated_at)),
       title = CASE WHEN title = '' AND @firstUserText IS NOT NULL THEN @defaultTitle ELSE title END
     WHERE id = @id`,
  );
  const selectThread = database.prepare<[string, string], ThreadRow>(
    'SELECT * FROM transcript_threads WHERE id = ? AND user_id = ?',
  );

  const write = database.transaction((batch: WriteBatch) => {
    const live = <T extends { threadId: string }>(items: T[]) =>
      items.filter((item) => !isDeleted.get(item.threadId));
    const threads = batch.threads.filter((thread) => !isDeleted.get(thread.id));
    const messages = live(batch.messages);
    for (const thread of threads)
      upsertThread.run({ ...thread, vectorStoreIds: JSON.stringify(thread.vectorStoreIds) });
    for (const message of messages) {
      upsertMessage.run({
        ...message,
        citations: JSON.stringify(message.citations),
        usage: message.usage === null ? null : JSON.stringify(message.usage),
      });
    }
    for (const run of runsOf(messages)) {
      upsertRun.run({ ...run, usage: run.usage === null ? null : JSON.stringify(run.usage) });
    }
    const touched = new Set([
      ...threads.map((thread) => thread.id),
      ...messages.map((message) => message.threadId),
    ]);
    for (const threadId of touched) {
      const stats = threadStats.get({ id: threadId });
      if (!stats) continue;
      applyStats.run({
        id: threadId,
        count: stats.count,
        preview: stats.last_text === null ? '' : messagePreview(stats.last_text),
        lastAt: stats.last_at,
        firstUserText: stats.first_user_text,
        defaultTitle: stats.first_user_text === null ? '' : defaultThreadTitle(stats.first_user_text),
      });
    }
  });

  const getThread = (userId: string, threadId: string) => {
    const row = selectThread.get(threadId, userId);
    return row ? toSummary(row) : null;
  };

  return {
    kind: 'sqlite',
    async writeBatch(batch) {
      write(normalizeBatch(batch));
    },
    isTransientError: (error) =>
      error instanceof Error &&
      'code' in error &&
      (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_IOERR'),
    async findThreadOwner(threadId) {
      const row = database
        .prepare<[string], { user_id: string }>('SELECT user_id FROM transcript_threads WHERE id = ?')
        .get(threadId);
      return row?.user_id ?? null;
    },
    async getThread(userId, threadId) {
      return getThread(userId, threadId);
    },
    async listThreads(userId, query: ThreadPageQuery): Promise<ThreadPage> {
      const where = ['user_id = @userId'];
      const parameters: Record<string, string | number> = { userId, limit: query.limit + 1 };
      if (query.cursor !== undefined) {
        const cursor = decodeThreadCursor(query.cursor);
        where.push('(updated_at < @cursorAt OR (updated_at = @cursorAt AND id < @cursorId))');
        Object.assign(parameters, { cursorAt: cursor.updatedAt, cursorId: cursor.id });
      }
      const search = query.q?.trim();
      if (search) {
        where.push(`(instr(transcript_fold(title), @q) > 0 OR EXISTS (SELECT 1 FROM transcript_messages m
          WHERE m.thread_id = transcript_threads.id AND instr(transcript_fold(m.text), @q) > 0))`);
        parameters.q = search.toLocaleLowerCase('und');
      }
      const rows = database
        .prepare<[Record<string, string | number>], ThreadRow>(
          `SELECT * FROM transcript_threads WHERE ${where.join(' AND ')} ORDER BY updated_at DESC, id DESC LIMIT @limit`,
        )
        .all(parameters);
      const page = rows.slice(0, query.limit).map(toSummary);
      const last = page.at(-1);
      return {
        data: page.map(withoutOwner),
        nextCursor: rows.length > query.limit && last ? encodeThreadCursor(last) : null,
      };
    },
    async listMessages(userId, threadId) {
      return database
        .prepare<[string, string], MessageRow>(
          'SELECT * FROM transcript_messages WHERE thread_id = ? AND user_id = ? ORDER BY created_at, id',
        )
        .all(threadId, userId)
        .map(toMessage);
    },
    async listRuns(userId, threadId) {
      return database
        .prepare<[string, string], RunRow>(
          'SELECT * FROM transcript_runs WHERE thread_id = ? AND user_id = ? ORDER BY created_at, id',
        )
        .all(threadId, userId)
        .map((row) => ({
          id: row.id,
          threadId: row.thread_id,
          userId: row.user_id,
          messageId: row.message_id,
          status: runStatusSchema.parse(row.status),
          model: row.model,
          usage: row.usage === null ? null : parseJson(usageSchema, row.usage),
          createdAt: row.created_at,
          completedAt: row.completed_at,
        }));
    },
    async renameThread(userId, threadId, title) {
      const result = database
        .prepare('UPDATE transcript_threads SET title = ?, is_title_custom = 1 WHERE id = ? AND user_id = ?')
        .run(title.trim(), threadId, userId);
      return result.changes === 0 ? null : getThread(userId, threadId);
    },
    async deleteThread(userId, threadId) {
      return database.transaction(() => {
        const owner = database
          .prepare<[string], { user_id: string }>('SELECT user_id FROM transcript_threads WHERE id = ?')
          .get(threadId)?.user_id;
        if (owner !== undefined && owner !== userId) return false;
        // Tombstoned even when nothing is stored yet: the thread may still be waiting in the outbox.
        database.prepare('DELETE FROM transcript_threads WHERE id = ?').run(threadId);
        database.prepare('DELETE FROM transcript_messages WHERE thread_id = ?').run(threadId);
        database.prepare('DELETE FROM transcript_runs WHERE thread_id = ?').run(threadId);
        database
          .prepare('INSERT OR REPLACE INTO transcript_deleted_threads (id, deleted_at) VALUES (?, ?)')
          .run(threadId, new Date().toISOString());
        return owner !== undefined;
      })();
    },
    async ping() {
      return database.open;
    },
    async close() {
      // The database file is shared; whoever opened it closes it.
    },
  };
}
