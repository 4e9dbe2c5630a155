import { closeSync, ftruncateSync, openSync, readFileSync, statSync, writeSync } from 'node:fs';
import { transcriptMessageSchema } from '@threadline/shared';
import { z } from 'zod';
import { migrate, type SqliteDatabase } from '../../sqlite/index.js';
import { createBackgroundCheckpointer } from './background-checkpointer.js';
import type { MessageRecord, ThreadRecord } from '../transcript-recorder.js';

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
 * One line of the append log: the records of one `append`, with consecutive seqs from `seq`. Only
 * the envelope is checked on recovery; records are checked when loaded, as rows from the tables are.
 */
const logLineSchema = z.object({
  seq: z.number().int().positive(),
  at: z.number(),
  entries: z.array(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('thread'), record: z.looseObject({ id: z.string(), userId: z.string() }) }),
      z.object({ kind: z.literal('message'), record: z.looseObject({ threadId: z.string() }) }),
    ]),
  ),
});

type Unflushed = { kind: OutboxRecord['kind']; threadId: string; payload: string; createdAt: number };

export type OutboxOptions = {
  onCheckpointError?: (message: string) => void;
  /**
   * The append log in front of the tables; by default `<database file>.outbox-log`, none for an
   * in-memory database. Only one outbox may use a database file at a time.
   */
  logPath?: string | null;
  /** How long records may sit in the log only before they are copied into the tables. */
  flushAfterMs?: number;
};

/**
 * The writer's durable journal: every record is on disk before `append` returns, so a record that
 * was acknowledged survives a crash, and leaves once the store has it. Also remembers which user
 * owns each thread it has seen, so ownership checks need no database.
 *
 * Two tiers. `append` writes one line to an append-only log file: a single `write` syscall, a few
 * microseconds on a request's path, where a SQLite commit cost ~50–100 µs. Most records are stored
 * and removed within milliseconds and never go further. Those still pending after `flushAfterMs`
 * (the store is slow or down, the queue is full), and every thread's owner, are copied into the
 * `outbox_*` tables in one transaction, and the log is emptied; so is it whenever nothing in it is
 * pending any more. At start-up a log left by a crash is read back into the tables (a line torn by the
 * crash is skipped: a turn's records share one line, so they come back together or not at all).
 * Both tiers survive the process dying; neither survives the machine losing power before the OS
 * writes its cache back (SQLite runs with synchronous = NORMAL for the same trade).
 */
export function createOutbox(database: SqliteDatabase, options: OutboxOptions = {}) {
  migrate(database, 'outbox', migrations);
  // A checkpoint inside a commit stalls that commit (and the event loop) for milliseconds. The
  // local engine shares this connection, so checkpoints run in a worker thread: every half
  // second, and when the writer asks after a burst of writes.
  const checkpointer = database.memory
    ? null
    : createBackgroundCheckpointer(database.name, options.onCheckpointError ?? (() => {}), {
        intervalMs: 500,
      });
  database.pragma('wal_autocheckpoint = 0');
  const insert = database.prepare<[number, string, string, string, number]>(
    'INSERT INTO outbox_entries (seq, kind, thread_id, payload, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (seq) DO NOTHING',
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
  const lastSeq = () =>
    database
      .prepare<[], { seq: number | null }>(
        "SELECT MAX(seq) AS seq FROM (SELECT seq FROM sqlite_sequence WHERE name = 'outbox_entries' UNION ALL SELECT MAX(seq) FROM outbox_entries)",
      )
      .get()?.seq ?? 0;

  const toTables = database.transaction(
    (entries: Iterable<[number, Unflushed]>, owners: Iterable<[string, string]>) => {
      for (const [seq, entry] of entries)
        insert.run(seq, entry.kind, entry.threadId, entry.payload, entry.createdAt);
      for (const [threadId, userId] of owners) upsertOwner.run(threadId, userId);
    },
  );
  const removeMany = database.transaction((seqs: readonly number[]) =>
    seqs.reduce((removed, seq) => removed + deleteOne.run(seq).changes, 0),
  );

  const logPath =
    options.logPath === undefined
      ? database.memory
        ? null
        : `${database.name}.outbox-log`
      : options.logPath;
  const flushAfterMs = options.flushAfterMs ?? 1000;
  /** Records in the log and not (yet) in the tables, by seq, oldest first. */
  const unflushed = new Map<number, Unflushed>();
  /** Owners of threads journaled since the last flush; the tables get them at the next one. */
  const owners = new Map<string, string>();
  let logBytes = 0;
  /** After a write that failed part-way, the next line starts on a line of its own. */
  let isLineOpen = false;
  let flushTimer: NodeJS.Timeout | null = null;

  const recover = (path: string) => {
    let text: string;
    try {
      if (!statSync(path).isFile()) return;
      text = readFileSync(path, 'utf8');
    } catch {
      return; // no log: nothing to recover
    }
    const recovered: [number, Unflushed][] = [];
    const recoveredOwners: [string, string][] = [];
    for (const line of text.split('\n')) {
      let parsed: z.infer<typeof logLineSchema>;
      try {
        parsed = logLineSchema.parse(JSON.parse(line));
      } catch {
        continue; // empty, or torn by the crash that left the log behind
      }
      parsed.entries.forEach((entry, index) => {
        recovered.push([
          parsed.seq + index,
          {
            kind: entry.kind,
            threadId: entry.kind === 'thread' ? entry.record.id : entry.record.threadId,
            payload: JSON.stringify(entry.record),
            createdAt: parsed.at,
          },
        ]);
        if (entry.kind === 'thread') recoveredOwners.push([entry.record.id, entry.record.userId]);
      });
    }
    toTables(recovered, recoveredOwners);
  };

  let fd: number | null = null;
  if (logPath) {
    recover(logPath);
    fd = openSync(logPath, 'a');
    if (statSync(logPath).isFile()) ftruncateSync(fd, 0);
  }
  let nextSeq = lastSeq() + 1;

  const emptyLog = () => {
    if (fd === null || logBytes === 0) return;
    ftruncateSync(fd, 0);
    logBytes = 0;
    isLineOpen = false;
  };

  /** Copies what only the log holds into the tables, then empties the log. */
  const flush = () => {
    if (flushTimer) clearTimeout(flushTimer);
    flushTimer = null;
    if (unflushed.size > 0 || owners.size > 0) toTables(unflushed, owners);
    unflushed.clear();
    owners.clear();
    emptyLog();
  };
  const scheduleFlush = () => {
    if (flushTimer) return;
    flushTimer = setTimeout(() => {
      flushTimer = null;
      if (!database.open) return; // closed without `close()`: what is left replays at the next start
      try {
        flush();
      } catch (error) {
        options.onCheckpointError?.(
          `outbox flush: ${error instanceof Error ? error.message : String(error)}`,
        );
        scheduleFlush();
      }
    }, flushAfterMs);
    flushTimer.unref();
  };

  const appendToTables = database.transaction((entries: readonly OutboxRecord[], createdAt: number) =>
    entries.map((entry) => {
      const seq = nextSeq++;
      insert.run(seq, entry.kind, threadIdOf(entry), JSON.stringify(entry.record), createdAt);
      if (entry.kind === 'thread') upsertOwner.run(entry.record.id, entry.record.userId);
      return seq;
    }),
  );

  const appendToLog = (logFd: number, entries: readonly OutboxRecord[], createdAt: number): number[] => {
    const payloads = entries.map((entry) => JSON.stringify(entry.record));
    const first = nextSeq;
    const line = `${isLineOpen ? '\n' : ''}{"seq":${first},"at":${createdAt},"entries":[${entries
      .map((entry, index) => `{"kind":"${entry.kind}","record":${payloads[index]}}`)
      .join(',')}]}\n`;
    const bytes = Buffer.from(line);
    const written = writeSync(logFd, bytes); // throws when nothing could be written
    logBytes += written;
    // Seqs are never reused, even for a line cut short: recovery keeps the first line with a seq.
    nextSeq += entries.length;
    if (written !== bytes.length) {
      isLineOpen = true;
      throw new Error(`outbox log: wrote ${written} of ${bytes.length} bytes`);
    }
    isLineOpen = false;
    entries.forEach((entry, index) => {
      unflushed.set(first + index, {
        kind: entry.kind,
        threadId: threadIdOf(entry),
        payload: payloads[index] ?? '',
        createdAt,
      });
      if (entry.kind === 'thread') owners.set(entry.record.id, entry.record.userId);
    });
    scheduleFlush();
    return entries.map((_, index) => first + index);
  };

  const forgetInTables = database.transaction((threadId: string): number[] => {
    const seqs = database
      .prepare<[string], { seq: number }>('SELECT seq FROM outbox_entries WHERE thread_id = ?')
      .all(threadId)
      .map((row) => row.seq);
    database.prepare('DELETE FROM outbox_entries WHERE thread_id = ?').run(threadId);
    database.prepare('DELETE FROM outbox_thread_owners WHERE thread_id = ?').run(threadId);
    return seqs;
  });
  const moveToDeadInTables = database.transaction((seq: number, error: string): number => {
    database
      .prepare(
        'INSERT OR REPLACE INTO outbox_dead SELECT seq, kind, thread_id, payload, created_at, ?, ? FROM outbox_entries WHERE seq = ?',
      )
      .run(error, Date.now(), seq);
    return deleteOne.run(seq).changes;
  });

  return {
    /**
     * Journals `entries` all or none (one log line; one transaction without a log) and returns
     * their seqs in order.
     */
    append: (entries: readonly OutboxRecord[], createdAt = Date.now()): number[] =>
      fd === null ? appendToTables(entries, createdAt) : appendToLog(fd, entries, createdAt),
    /** Oldest first, from `fromSeq` on. */
    load: (fromSeq: number, limit: number): OutboxEntry[] => {
      flush();
      return selectFrom.all(fromSeq, limit).map(parseEntry);
    },
    /** Returns how many were still there. */
    remove: (seqs: readonly number[]): number => {
      let removed = 0;
      const inTables: number[] = [];
      for (const seq of seqs) {
        if (unflushed.delete(seq)) removed += 1;
        else inTables.push(seq);
      }
      if (inTables.length > 0) removed += removeMany(inTables);
      // Nothing the log holds is pending any more: start it afresh. (Owners not yet copied to the
      // tables are still known here; after a crash the store, which has their threads, answers.)
      if (unflushed.size === 0) emptyLog();
      return removed;
    },
    count: (): number =>
      unflushed.size +
      (database.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM outbox_entries').get()?.count ??
        0),
    minSeq: (): number | null => {
      const [firstUnflushed] = unflushed.keys();
      const inTables =
        database.prepare<[], { seq: number | null }>('SELECT MIN(seq) AS seq FROM outbox_entries').get()
          ?.seq ?? null;
      return inTables ?? firstUnflushed ?? null;
    },
    oldestCreatedAt: (fromSeq: number): number | null => {
      flush();
      return (
        database
          .prepare<[number], { at: number | null }>(
            'SELECT MIN(created_at) AS at FROM outbox_entries WHERE seq >= ?',
          )
          .get(fromSeq)?.at ?? null
      );
    },
    ownerOf: (threadId: string): string | null =>
      owners.get(threadId) ?? selectOwner.get(threadId)?.user_id ?? null,
    /** Drops a deleted thread's pending records and its owner; returns the dropped entries' seqs. */
    forgetThread: (threadId: string): number[] => {
      flush();
      return forgetInTables(threadId);
    },
    /** Parks a record the store rejects for good, so it stops blocking the ones behind it. */
    moveToDead: (seq: number, error: string): number => {
      flush();
      return moveToDeadInTables(seq, error);
    },
    /** Folds the WAL back into the database file without waiting for readers. */
    checkpoint: (): void => {
      database.pragma('wal_checkpoint(PASSIVE)');
    },
    /** `checkpoint` from a worker thread, so its disk sync never blocks the event loop. */
    checkpointInBackground: (): void => {
      if (checkpointer) checkpointer.request();
      else database.pragma('wal_checkpoint(PASSIVE)');
    },
    /**
     * Copies what only the log holds into the tables, closes the log and stops the background
     * checkpointer (before the database itself is closed).
     */
    close: async (): Promise<void> => {
      flush();
      if (fd !== null) closeSync(fd);
      fd = null;
      await checkpointer?.close();
    },
    deadCount: (): number =>
      database.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM outbox_dead').get()?.count ?? 0,
  };
}

export type Outbox = ReturnType<typeof createOutbox>;
