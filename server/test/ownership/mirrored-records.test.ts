import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/http/errors/app-error.js';
import { createSqliteRecords } from '../../src/ownership/sqlite-owners.js';
import { mirroredRecords } from '../../src/ownership/mirrored-records.js';
import type { SharedRecords } from '../../src/ownership/owner-records.js';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database.js';

/**
 * The shared home as MongoDB behaves from the driver's side: while the server is down every
 * operation fails, after the client's server selection timeout (2 s in mongo-owners.ts; 300 ms
 * here), with an error the records turn into `503 store_unavailable`. While up, it is real
 * records in a database of their own (the home every instance shares).
 */
function unreliableHome(database: SqliteDatabase) {
  const home = createSqliteRecords(database, 'engine');
  let isDown = false;
  const calls = { count: 0 };
  const guard =
    <A extends unknown[], R>(operation: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      calls.count += 1;
      if (!isDown) return operation(...args);
      await new Promise((resolve) => setTimeout(resolve, 300));
      throw new AppError('store_unavailable', 503, 'Ownership records are unavailable (MongoDB)');
    };
  const records: SharedRecords = {
    home: 'mongodb',
    owners: {
      record: guard(home.owners.record),
      ownerOf: guard(home.owners.ownerOf),
      forget: guard(home.owners.forget),
    },
    defaults: {
      get: guard(home.defaults.get),
      putIfAbsent: guard(home.defaults.putIfAbsent),
      put: guard(home.defaults.put),
      claim: guard(home.defaults.claim),
      release: guard(home.defaults.release),
    },
    close: async () => undefined,
  };
  return {
    records,
    calls,
    stop: () => void (isDown = true),
    start: () => void (isDown = false),
  };
}

describe('owner records through an instance’s copy while MongoDB is down', () => {
  let dataDir: string;
  let shared: SqliteDatabase;
  let local: SqliteDatabase;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-mirror-'));
    shared = openDatabase(join(dataDir, 'shared'));
    local = openDatabase(join(dataDir, 'instance'));
  });
  afterEach(() => {
    shared.close();
    local.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const timing = { writeWaitMs: 50, readWaitMs: 50, retryMs: 100 };

  it('answers owners it has seen at once, without asking the home', async () => {
    const home = unreliableHome(shared);
    const mirror = mirroredRecords(home.records, local, 'engine', { timing });
    await mirror.owners.record('thread', 'thread_1', 'alice');
    await home.records.owners.record('vector_store', 'vs_elsewhere', 'bob');
    expect(await mirror.owners.ownerOf('vector_store', 'vs_elsewhere')).toBe('bob');
    home.stop();
    const before = home.calls.count;
    const started = performance.now();
    expect(await mirror.owners.ownerOf('thread', 'thread_1')).toBe('alice');
    expect(await mirror.owners.ownerOf('vector_store', 'vs_elsewhere')).toBe('bob');
    expect(performance.now() - started).toBeLessThan(50);
    expect(home.calls.count).toBe(before);
    // An owner it never saw needs the home: the 503, not a guess.
    await expect(mirror.owners.ownerOf('file', 'file_unknown')).rejects.toMatchObject({ statusCode: 503 });
    await mirror.close();
  });

  it('records while the home is down without waiting for it, and writes the record once it is back', async () => {
    const home = unreliableHome(shared);
    const mirror = mirroredRecords(home.records, local, 'engine', { timing });
    home.stop();
    const started = performance.now();
    await mirror.owners.record('thread', 'thread_down', 'alice');
    await mirror.owners.forget('vector_store', 'vs_gone');
    expect(performance.now() - started).toBeLessThan(250);
    expect(await mirror.owners.ownerOf('thread', 'thread_down')).toBe('alice');
    home.start();
    await expect
      .poll(() => home.records.owners.ownerOf('thread', 'thread_down'), { timeout: 3000 })
      .toBe('alice');
    await mirror.close();
  });

  it('keeps pending records across a restart and writes them when the home is back', async () => {
    const home = unreliableHome(shared);
    const first = mirroredRecords(home.records, local, 'engine', { timing });
    home.stop();
    await first.owners.record('file', 'file_down', 'alice');
    await first.close();
    home.start();
    const restarted = mirroredRecords(home.records, local, 'engine', { timing });
    await expect
      .poll(() => home.records.owners.ownerOf('file', 'file_down'), { timeout: 3000 })
      .toBe('alice');
    await restarted.close();
  });

  it('keeps the first owner recorded in the home when its own record arrives late', async () => {
    const home = unreliableHome(shared);
    const mirror = mirroredRecords(home.records, local, 'engine', { timing });
    home.stop();
    await mirror.owners.record('vector_store', 'vs_raced', 'alice');
    home.start();
    // Another instance recorded it first, while this one could not reach the home.
    await home.records.owners.record('vector_store', 'vs_raced', 'bob');
    await mirror.flushPending();
    expect(await mirror.owners.ownerOf('vector_store', 'vs_raced')).toBe('bob');
    await mirror.close();
  });

  it('answers a user’s default stores from the last value seen while the home is down', async () => {
    const home = unreliableHome(shared);
    const mirror = mirroredRecords(home.records, local, 'engine', { timing });
    await mirror.defaults.put('alice', ['vs_sample']);
    await home.records.defaults.put('alice', ['vs_chosen']);
    expect(await mirror.defaults.get('alice')).toEqual(['vs_chosen']);
    home.stop();
    expect(await mirror.defaults.get('alice')).toEqual(['vs_chosen']);
    await expect(mirror.defaults.get('bob')).rejects.toMatchObject({ statusCode: 503 });
    await expect(mirror.defaults.put('alice', [])).rejects.toMatchObject({ statusCode: 503 });
    await mirror.close();
  });
});
