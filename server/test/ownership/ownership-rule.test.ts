import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localUserId } from '../../src/common/local-user.js';
import { openDatabase, type SqliteDatabase } from '../../src/sqlite/database.js';
import { createOwnership } from '../../src/ownership/ownership-rule.js';
import { createSqliteRecords } from '../../src/ownership/sqlite-owners.js';
import type { SharedRecords } from '../../src/ownership/owner-records.js';

describe('the ownership rule', () => {
  let dataDir: string;
  let database: SqliteDatabase;
  let records: SharedRecords;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-rule-'));
    database = openDatabase(dataDir);
    records = createSqliteRecords(database, 'engine');
  });
  afterEach(() => {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('follows the recorded owner: theirs to see, everyone else’s (the local user’s too) a missing one', async () => {
    const ownership = createOwnership(records);
    await ownership.record('thread', 'thread_1', 'alice');
    expect(await ownership.canSee('thread', 'thread_1', 'alice')).toBe(true);
    expect(await ownership.canSee('thread', 'thread_1', 'bob')).toBe(false);
    expect(await ownership.canSee('thread', 'thread_1', localUserId)).toBe(false);
  });

  it('reads an object made before records existed from the old sources once, in order, and records it', async () => {
    const calls: string[] = [];
    const ownership = createOwnership(records, {
      thread: [
        (id) => (calls.push(`history ${id}`), null),
        async (id) => (calls.push(`engine ${id}`), undefined),
        async (id) => (calls.push(`metadata ${id}`), 'bob'),
        (id) => (calls.push(`run log ${id}`), 'carol'),
      ],
    });
    expect(await ownership.canSee('thread', 'thread_old', 'bob')).toBe(true);
    expect(calls).toEqual(['history thread_old', 'engine thread_old', 'metadata thread_old']);
    expect(await records.owners.ownerOf('thread', 'thread_old')).toBe('bob');
    expect(await ownership.canSee('thread', 'thread_old', 'carol')).toBe(false);
    expect(calls).toHaveLength(3);
  });

  it('gives what no one owns to the auth-off local user, without recording it', async () => {
    const ownership = createOwnership(records, { vector_store: [() => null] });
    expect(await ownership.canSee('vector_store', 'vs_unowned', localUserId)).toBe(true);
    expect(await ownership.canSee('vector_store', 'vs_unowned', 'alice')).toBe(false);
    expect(await ownership.ownerOf('vector_store', 'vs_unowned')).toBeNull();
    // Someone who later creates it with that id (it was missing) becomes its owner.
    await ownership.record('vector_store', 'vs_unowned', 'alice');
    expect(await ownership.canSee('vector_store', 'vs_unowned', localUserId)).toBe(false);
  });

  it('shares an assistant no one owns (the built-in one) with everyone', async () => {
    const ownership = createOwnership(records, { assistant: [() => null] });
    expect(await ownership.canSee('assistant', 'asst_threadline', 'alice')).toBe(true);
    await ownership.record('assistant', 'asst_mine', 'alice');
    expect(await ownership.canSee('assistant', 'asst_mine', 'bob')).toBe(false);
  });

  it('filters a list to what the user may see, keeping its order', async () => {
    const ownership = createOwnership(records);
    await ownership.record('file', 'file_c', 'alice');
    await ownership.record('file', 'file_a', 'alice');
    await ownership.record('file', 'file_b', 'bob');
    expect(await ownership.visible('file', ['file_c', 'file_b', 'file_a', 'file_x'], 'alice')).toEqual([
      'file_c',
      'file_a',
    ]);
  });
});
