import { transcriptMessageSchema } from '@threadline/shared';
import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../db/database.js';
import { createBackgroundCheckpointer } from './background-checkpointer.js';
import type { MessageRecord, ThreadRecord } from './transcript-recorder.js';

const migrations = [
  `CREATE TABLE outbox_entries (
     seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, thread_id TEXT NOT NULL,
     payload TEXT NOT NULL, created_at INTEGER NOT NULL);
   CREATE INDEX outbox_entries_by_thread ON outbox_entries (thread_id);
   CREATE TABLE outbox_thread_owners (thread_id TEXT PRIMARY KEY, user_id TEXT NOT NULL);
   CREATE TABLE outbox_dead (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, thread_id TEXT NOT NULL,
     payload TEXT NOT NULL, created_at INTEGER NOT NULL, error TEXT NOT NULL, failed_at INTEGER NOT NULL);`,
  // Journal commits sit on the path to a stream's first event and cost about one disk page each
  // per table or index they touch: the by-thread index goes (only a thread's deletion looks
  // entries up by thread, scanning what is pending), and owners become one B-tree, not two.
  `DROP INDEX outbox_entries_by_thread;
   CREATE TABLE outbox_thread_owners_v2 (thread_id TEXT PRIMARY KEY, user_id TEXT NOT NULL) WITHOUT ROWID;
   INSERT INTO outbox_thread_owners_v2 SELECT thread_id, user_id FROM outbox_thread_owners;
   DROP TABLE outbox_thread_owners;
   ALTER TABLE outbox_thread_owners_v2 RENAME TO outbox_thread_owners;`,
];

const threadRecordSchema = z.object({
  id: z.string(),
  userId: z.string(),
  title: z.string(),
  engine: z.string(),
  vectorStoreIds: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const messageRecordSchema = transcriptMessageSchema.extend({ userId: z.string() });

export type OutboxRecord =
  { kind: 'thread'; record: ThreadRecord } | { kind: 'message'; record: MessageRecord };
export type OutboxEntry = OutboxRecord & { seq: number; createdAt: number };

type EntryRow = { seq: number; kind: string; thread_id: string; payload: string; created_at: number };

const parseEntry = (row: EntryRow): OutboxEntry => {
  const payload: unknown = JSON.parse(row.payload);
  const base = { seq: row.seq, createdAt: row.created_at };
  return row.kind === 'thread'
    ? { ...base, kind: 'thread', record: threadRecordSchema.parse(payload) }
    : { ...base, kind: 'message', record: messageRecordSchema.parse(payload) };
};

const threadIdOf = (entry: OutboxRecord) =>
  entry.kind === 'thread' ? entry.record.id : entry.record.threadId;

/**
 * The writer's durable journal (tables `outbox_*`): every record lands here before `record*`
 * returns, so a record that was acknowledged survives a crash, and leaves once the store has it.
 * Also remembers which user owns each thread it has seen, so ownership checks need no database.
 */
export function createOutbox(
  database: SqliteDatabase,
  options: { onCheckpointError?: (message: string) => void } = {},
) {
  migrate(database, 'outbox', migrations);
  // A checkpoint inside a commit stalls that commit (and the event loop) for milliseconds. Commits
  // on this connection are journal inserts on a request's path, and the local engine shares the
  // connection, so checkpoints run in a worker thread: every half second, and when the writer asks
  // after a burst of writes.
  const checkpointer = database.memory
    ? null
    : createBackgroundCheckpointer(database.name, options.onCheckpointError ?? (() => {}), {
        intervalMs: 500,
      });
  database.pragma('wal_autocheckpoint = 0');
  const insert = database.prepare<[string, string, string, number]>(
    'INSERT INTO outbox_entries (kind, thread_id, payload, created_at) VALUES (?, ?, ?, ?)',
  );
  const upsertOwner = database.prepare<[string, string]>(
    'INSERT INTO outbox_thread_owners (thread_id, user_id) VALUES (?, ?) ON CONFLICT (thread_id) DO NOTHING',
  );
  const selectFrom = database.prepare<[number, number], EntryRow>(
    'SELECT * FROM outbox_entries WHERE seq >= ? ORDER BY seq LIMIT ?',
  );
  const deleteOne = database.prepare<[number]>('DELETE FROM outbox_entries WHERE seq = ?');
  const selectOwner = database.prepare<[string], { user_id: string }>(
    'SELECT user_id FROM outbox_thread_owners WHERE thread_id = ?',
  );

  const insertEntry = (entry: OutboxRecord, createdAt: number): number =>
    Number(
      insert.run(entry.kind, threadIdOf(entry), JSON.stringify(entry.record), createdAt).lastInsertRowid,
    );
  const journal = (entry: OutboxRecord, createdAt: number): number => {
    if (entry.kind === 'thread') upsertOwner.run(entry.record.id, entry.record.userId);
    return insertEntry(entry, createdAt);
  };
  // Several records in one commit: a new thread and its first message cost one commit, not two.
  const journalInOneCommit = database.transaction((entries: readonly OutboxRecord[], createdAt: number) =>
    entries.map((entry) => journal(entry, createdAt)),
  );
  const removeMany = database.transaction((seqs: readonly number[]) =>
    seqs.reduce((removed, seq) => removed + deleteOne.run(seq).changes, 0),
  );

  return {
    /**
     * Journals `entries` in one commit (all or none); returns their seqs in order. A lone message
     * is one INSERT, atomic on its own: an explicit BEGIN/COMMIT around it cost a third more, and
     * journaling sits on the request path.
     */
    append: (entries: readonly OutboxRecord[], createdAt = Date.now()): number[] => {
      const [only] = entries;
      return entries.length === 1 && only?.kind === 'message'
        ? [insertEntry(only, createdAt)]
        : journalInOneCommit(entries, createdAt);
    },
    /** Oldest first, from `fromSeq` on. */
    load: (fromSeq: number, limit: number): OutboxEntry[] => selectFrom.all(fromSeq, limit).map(parseEntry),
    /** Returns how many were still there. */
    remove: (seqs: readonly number[]): number => removeMany(seqs),
    count: (): number =>
      database.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM outbox_entries').get()?.count ??
      0,
    minSeq: (): number | null =>
      database.prepare<[], { seq: number | null }>('SELECT MIN(seq) AS seq FROM outbox_entries').get()?.seq ??
      null,
    oldestCreatedAt: (fromSeq: number): number | null =>
      database
        .prepare<[number], { at: number | null }>(
          'SELECT MIN(created_at) AS at FROM outbox_entries WHERE seq >= ?',
        )
        .get(fromSeq)?.at ?? null,
    ownerOf: (threadId: string): string | null => selectOwner.get(threadId)?.user_id ?? null,
    /** Drops a deleted thread's pending records and its owner; returns the dropped entries' seqs. */
    forgetThread: database.transaction((threadId: string): number[] => {
      const seqs = database
        .prepare<[string], { seq: number }>('SELECT seq FROM outbox_entries WHERE thread_id = ?')
        .all(threadId)
        .map((row) => row.seq);
      database.prepare('DELETE FROM outbox_entries WHERE thread_id = ?').run(threadId);
      database.prepare('DELETE FROM outbox_thread_owners WHERE thread_id = ?').run(threadId);
      return seqs;
    }),
    /** Parks a record the store rejects for good, so it stops blocking the ones behind it. */
    moveToDead: database.transaction((seq: number, error: string) => {
      database
        .prepare(
          'INSERT OR REPLACE INTO outbox_dead SELECT seq, kind, thread_id, payload, created_at, ?, ? FROM outbox_entries WHERE seq = ?',
        )
        .run(error, Date.now(), seq);
      return deleteOne.run(seq).changes;
    }),
    /** Folds the WAL back into the database file without waiting for readers (the drain calls it). */
    checkpoint: (): void => {
      database.pragma('wal_checkpoint(PASSIVE)');
    },
    /** `checkpoint` from a worker thread, so its disk sync never blocks the event loop. */
    checkpointInBackground: (): void => {
      if (checkpointer) checkpointer.request();
      else database.pragma('wal_checkpoint(PASSIVE)');
    },
    /** Stops the background checkpointer (before the database itself is closed). */
    closeBackground: async (): Promise<void> => {
      await checkpointer?.close();
    },
    deadCount: (): number =>
      database.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM outbox_dead').get()?.count ?? 0,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
