import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database.js';
import { createOutbox } from '../../src/transcripts/writer/outbox.js';
import { createSqliteTranscriptStore } from '../../src/transcripts/stores/sqlite-transcript-store.js';
import {
  createTranscriptWriter,
  type TranscriptWriterOptions,
} from '../../src/transcripts/writer/transcript-writer.js';
import { withFaults } from '../helpers/faulty-store.js';
import {
  assistantMessageFixture,
  threadFixture,
  userMessageFixture,
} from '../helpers/transcript-fixtures.js';

const silent = { warn: () => {}, error: () => {}, info: () => {} };
const waitFor = async (condition: () => boolean | Promise<boolean>, timeoutMs = 5000) => {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

const logOf = (database: SqliteDatabase) => `${database.name}.outbox-log`;

/** The WAL's frame count, from its size (32-byte header, then 24-byte frame headers + pages). */
const walFrames = (database: SqliteDatabase) => {
  const pageSize = database.pragma('page_size', { simple: true }) as number;
  const size = statSync(`${database.name}-wal`).size;
  return size <= 32 ? 0 : (size - 32) / (24 + pageSize);
};
describe('transcript writer', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const cleanup of cleanups.splice(0)) cleanup();
  });

  /** A data dir with the store's tables (the "database") and the writer's outbox, as in production. */
  function setUp() {
    const dataDir = mkdtempSync(join(tmpdir(), 'threadline-writer-'));
    const opened: SqliteDatabase[] = [];
    const open = () => {
      const database = openDatabase(dataDir);
      opened.push(database);
      return database;
    };
    cleanups.push(() => {
      for (const database of opened) if (database.open) database.close();
      rmSync(dataDir, { recursive: true, force: true });
    });
    const database = open();
    const rawStore = createSqliteTranscriptStore(database);
    const faults = withFaults(rawStore);
    const writer = (overrides: Partial<TranscriptWriterOptions> = {}, outboxDatabase = database) =>
      createTranscriptWriter({
        store: faults.store,
        outbox: createOutbox(outboxDatabase),
        queueSize: 100,
        batchSize: 10,
        logger: silent,
        retry: { baseMs: 10, maxMs: 80 },
        ...overrides,
      });
    return { open, database, faults, writer, store: faults.store, rawStore };
  }

  it('writes records in batches of at most the batch size and empties the journal', async () => {
    const { writer, store, faults } = setUp();
    const recorder = writer();
    const thread = threadFixture();
    recorder.recordThread(thread);
    for (let index = 0; index < 24; index += 1)
      recorder.recordMessage(userMessageFixture(thread, `message ${index}`));
    await waitFor(() => recorder.status().depth === 0);
    expect((await store.getThread('alice', thread.id))?.messageCount).toBe(24);
    expect(faults.calls.map((call) => call.size)).toEqual([10, 10, 5]);
    expect(recorder.status()).toEqual({
      depth: 0,
      outbox: 0,
      oldestPendingAgeMs: null,
      lastError: null,
      dead: 0,
    });
  });

  it('spills to the outbox when the queue is full and the database is down, then catches up in order', async () => {
    const { writer, store, faults } = setUp();
    faults.setMode({ kind: 'down' });
    const recorder = writer({ queueSize: 20 });
    const thread = threadFixture();
    recorder.recordThread(thread);
    const messages = Array.from({ length: 49 }, (_, index) => userMessageFixture(thread, `m${index}`, index));
    for (const message of messages) recorder.recordMessage(message);
    await waitFor(() => recorder.status().lastError !== null);
    expect(recorder.status()).toMatchObject({
      depth: 20,
      outbox: 30,
      lastError: 'connect ECONNREFUSED (test)',
    });
    expect(recorder.status().oldestPendingAgeMs).toBeGreaterThanOrEqual(0);
    // Ownership checks see writes that have not reached the database.
    expect(await recorder.findThreadOwner(thread.id)).toBe('alice');

    faults.setMode({ kind: 'healthy' });
    await waitFor(() => recorder.status().depth === 0 && recorder.status().outbox === 0);
    const stored = await store.listMessages('alice', thread.id);
    expect(stored.map((message) => message.text)).toEqual(messages.map((message) => message.text));
    expect(recorder.status().lastError).toBeNull();
  });

  it('backs off exponentially with jitter between retries', async () => {
    const { writer, faults } = setUp();
    faults.setMode({ kind: 'down' });
    const recorder = writer({ retry: { baseMs: 20, maxMs: 160 }, random: () => 1 });
    recorder.recordThread(threadFixture());
    await waitFor(() => faults.calls.length >= 6, 3000);
    const gaps = faults.calls.slice(1, 6).map((call, index) => call.at - (faults.calls[index]?.at ?? 0));
    // random() = 1 → full capped delay: 20, 40, 80, 160, 160 (timers may fire a little late).
    [20, 40, 80, 160, 160].forEach((expected, index) => {
      expect(gaps[index]).toBeGreaterThanOrEqual(expected - 2);
      expect(gaps[index]).toBeLessThan(expected + 60);
    });
    await recorder.close(0);
  });

  it('replays the outbox at start-up idempotently, even for records the database already has', async () => {
    const { writer, store, faults, open, rawStore } = setUp();
    faults.setMode({ kind: 'down' });
    const first = writer();
    const thread = threadFixture();
    const question = userMessageFixture(thread, 'Question');
    const answer = assistantMessageFixture(thread, 'Answer');
    first.recordThread(thread);
    first.recordMessage(question);
    first.recordMessage(answer);
    expect(await first.close(30)).toEqual({ isDrained: false });
    // As if the process died after the database took the batch but before the journal was cleared.
    await rawStore.writeBatch({ threads: [thread], messages: [question, answer] });

    faults.setMode({ kind: 'healthy' });
    const second = writer({}, open());
    expect(second.status().outbox).toBe(3);
    await waitFor(() => second.status().outbox === 0 && second.status().depth === 0);
    expect(await store.listMessages('alice', thread.id)).toHaveLength(2);
    expect(await store.getThread('alice', thread.id)).toMatchObject({
      messageCount: 2,
      lastMessagePreview: 'Answer',
    });
  });

  it('flushes on close within the deadline while writes are slow', async () => {
    const { writer, store, faults } = setUp();
    faults.setMode({ kind: 'stall', ms: 40 });
    const recorder = writer({ batchSize: 5 });
    const thread = threadFixture();
    recorder.recordThread(thread);
    for (let index = 0; index < 14; index += 1)
      recorder.recordMessage(userMessageFixture(thread, `m${index}`, index));
    expect(await recorder.close(2000)).toEqual({ isDrained: true });
    expect((await store.getThread('alice', thread.id))?.messageCount).toBe(14);
  });

  it('gives up at the deadline when the database is down and keeps everything in the outbox', async () => {
    const { writer, faults, database } = setUp();
    faults.setMode({ kind: 'down' });
    const recorder = writer();
    recorder.recordThread(threadFixture());
    const started = Date.now();
    expect(await recorder.close(150)).toEqual({ isDrained: false });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(createOutbox(database).count()).toBe(1);
  });

  it('parks a record the database refuses for good and writes the others', async () => {
    const { writer, store, faults, database } = setUp();
    faults.rejectWhen((batch) => batch.messages.some((message) => message.text === 'poison'));
    const recorder = writer();
    const thread = threadFixture();
    recorder.recordThread(thread);
    ['a', 'b', 'poison', 'c', 'd'].forEach((text, index) =>
      recorder.recordMessage(userMessageFixture(thread, text, index)),
    );
    await waitFor(() => recorder.status().depth === 0);
    expect((await store.listMessages('alice', thread.id)).map((message) => message.text)).toEqual([
      'a',
      'b',
      'c',
      'd',
    ]);
    expect(createOutbox(database).deadCount()).toBe(1);
    expect(recorder.status().dead).toBe(1);
    await recorder.close(1000);
    // A later process reports what an earlier one parked.
    expect(writer().status().dead).toBe(1);
  });

  it('journals a new thread and its first message as one line of the log, all or nothing', async () => {
    const { writer, faults, database, open, store } = setUp();
    faults.setMode({ kind: 'down' });
    const outbox = createOutbox(database);
    const recorder = writer({ outbox });
    const thread = threadFixture();
    const walBefore = walFrames(database);
    recorder.recordTurn({ thread, message: userMessageFixture(thread, 'First question') });
    expect(recorder.status()).toMatchObject({ depth: 2, outbox: 0 });
    expect(await recorder.findThreadOwner(thread.id)).toBe('alice');
    // On the request's path: one line appended to the log, nothing committed to SQLite.
    const lines = readFileSync(logOf(database), 'utf8').split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      seq: 1,
      entries: [
        { kind: 'thread', record: { id: thread.id } },
        { kind: 'message', record: { text: 'First question' } },
      ],
    });
    expect(walFrames(database)).toBe(walBefore);

    // The process dies in the middle of journaling the next turn: its line is torn.
    const next = threadFixture();
    appendFileSync(logOf(database), JSON.stringify({ seq: 3, at: 1, entries: [] }).slice(0, 12));
    const afterCrash = createOutbox(open());
    expect(afterCrash.count()).toBe(2);
    expect(afterCrash.ownerOf(thread.id)).toBe('alice');
    expect(afterCrash.ownerOf(next.id)).toBeNull();
    expect(statSync(logOf(database)).size).toBe(0);

    faults.setMode({ kind: 'healthy' });
    const replay = writer({ outbox: afterCrash });
    await waitFor(() => replay.status().depth === 0 && replay.status().outbox === 0);
    expect(await store.getThread('alice', thread.id)).toMatchObject({
      title: 'First question',
      messageCount: 1,
    });
    await replay.close(0);
  });

  it('still writes a turn the journal cannot take (disk full) straight to the store', async () => {
    const { writer, database, store } = setUp();
    const recorder = writer({ outbox: createOutbox(database, { logPath: '/dev/full' }) });
    const thread = threadFixture();
    recorder.recordTurn({ thread, message: userMessageFixture(thread, 'refused') });
    expect(recorder.status().lastError).toMatch(/ENOSPC/);
    expect(recorder.status()).toMatchObject({ depth: 0, outbox: 0 });
    await waitFor(async () => (await store.getThread('alice', thread.id)) !== null);
    expect(await store.getThread('alice', thread.id)).toMatchObject({ messageCount: 1 });
    await recorder.close(0);
  });

  it('keeps the log small: stored records leave it, late ones move to the tables', async () => {
    const { writer, faults, database } = setUp();
    const outbox = createOutbox(database, { flushAfterMs: 50 });
    const recorder = writer({ outbox });
    const thread = threadFixture();
    recorder.recordThread(thread);
    recorder.recordMessage(userMessageFixture(thread, 'stored at once'));
    expect(statSync(logOf(database)).size).toBeGreaterThan(0);
    await waitFor(() => recorder.status().depth === 0);
    // Stored and removed before any flush: the log is empty and the tables never saw them.
    expect(statSync(logOf(database)).size).toBe(0);
    expect(database.prepare('SELECT COUNT(*) AS n FROM outbox_entries').get()).toEqual({ n: 0 });

    faults.setMode({ kind: 'down' });
    recorder.recordMessage(userMessageFixture(thread, 'waits for the store'));
    await waitFor(() => statSync(logOf(database)).size === 0);
    // Still pending after flushAfterMs: copied into the tables, the log emptied, the owner kept.
    expect(database.prepare('SELECT COUNT(*) AS n FROM outbox_entries').get()).toEqual({ n: 1 });
    expect(
      database.prepare('SELECT user_id FROM outbox_thread_owners WHERE thread_id = ?').get(thread.id),
    ).toEqual({ user_id: 'alice' });
    expect(recorder.status()).toMatchObject({ depth: 1, outbox: 0 });
    faults.setMode({ kind: 'healthy' });
    await waitFor(() => recorder.status().depth === 0);
    expect(outbox.count()).toBe(0);
    await recorder.close(0);
    // Seqs go on after a restart, past every record the tables have seen.
    const restarted = createOutbox(database);
    expect(restarted.append([{ kind: 'message', record: userMessageFixture(thread, 'later', 9) }])).toEqual([
      4,
    ]);
    await restarted.close();
  });

  it('replays a journal written by the first outbox schema after upgrading it in place', async () => {
    const { open, store } = setUp();
    const legacy = open();
    // The outbox as version 1 created it, with one pending turn in it.
    legacy.exec(`CREATE TABLE outbox_entries (
       seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, thread_id TEXT NOT NULL,
       payload TEXT NOT NULL, created_at INTEGER NOT NULL);
     CREATE INDEX outbox_entries_by_thread ON outbox_entries (thread_id);
     CREATE TABLE outbox_thread_owners (thread_id TEXT PRIMARY KEY, user_id TEXT NOT NULL);
     CREATE TABLE outbox_dead (seq INTEGER PRIMARY KEY, kind TEXT NOT NULL, thread_id TEXT NOT NULL,
       payload TEXT NOT NULL, created_at INTEGER NOT NULL, error TEXT NOT NULL, failed_at INTEGER NOT NULL);
     INSERT INTO schema_migrations VALUES ('outbox', 1, '2026-01-01T00:00:00.000Z');`);
    const thread = threadFixture();
    const question = userMessageFixture(thread, 'Still pending');
    const insert = legacy.prepare(
      'INSERT INTO outbox_entries (kind, thread_id, payload, created_at) VALUES (?, ?, ?, ?)',
    );
    insert.run('thread', thread.id, JSON.stringify(thread), Date.now());
    insert.run('message', thread.id, JSON.stringify(question), Date.now());
    legacy.prepare('INSERT INTO outbox_thread_owners VALUES (?, ?)').run(thread.id, thread.userId);

    const outbox = createOutbox(legacy);
    expect(outbox.count()).toBe(2);
    expect(outbox.ownerOf(thread.id)).toBe('alice');
    // New seqs continue after the old ones (AUTOINCREMENT survives the upgrade).
    expect(outbox.append([{ kind: 'message', record: userMessageFixture(thread, 'next', 2) }])).toEqual([3]);
    const recorder = createTranscriptWriter({ store, outbox, queueSize: 10, batchSize: 10, logger: silent });
    await waitFor(() => recorder.status().outbox === 0 && recorder.status().depth === 0);
    expect((await store.listMessages('alice', thread.id)).map((message) => message.text)).toEqual([
      'Still pending',
      'next',
    ]);
    await recorder.close(0);
  });

  it('leaves WAL checkpoints to its worker: its connection never checkpoints inside a commit', async () => {
    const { open } = setUp();
    const database = open();
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    const outbox = createOutbox(database);
    expect(database.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await outbox.close();
  });

  it('forgets a deleted thread’s pending writes', async () => {
    const { writer, faults } = setUp();
    faults.setMode({ kind: 'down' });
    const recorder = writer();
    const kept = threadFixture();
    const deleted = threadFixture();
    recorder.recordThread(kept);
    recorder.recordThread(deleted);
    recorder.recordMessage(userMessageFixture(deleted, 'gone'));
    recorder.forgetThread(deleted.id);
    expect(recorder.status()).toMatchObject({ depth: 1, outbox: 0 });
    expect(await recorder.findThreadOwner(kept.id)).toBe('alice');
    await expect(recorder.findThreadOwner(deleted.id)).resolves.toBeNull();
    await recorder.close(0);
  });
});
