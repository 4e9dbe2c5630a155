import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase } from './database.js';

describe('openDatabase + migrate', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-db-'));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('applies each migration once and keeps data across reopening', () => {
    const migrations = ['CREATE TABLE t_a (id TEXT PRIMARY KEY)', 'ALTER TABLE t_a ADD COLUMN note TEXT'];
    const first = openDatabase(dataDir);
    migrate(first, 't', migrations);
    first.prepare('INSERT INTO t_a (id, note) VALUES (?, ?)').run('x', 'kept');
    first.close();

    const second = openDatabase(dataDir);
    migrate(second, 't', migrations);
    expect(second.prepare('SELECT note FROM t_a WHERE id = ?').get('x')).toEqual({ note: 'kept' });
    expect(second.pragma('journal_mode', { simple: true })).toBe('wal');
    second.close();
  });

  it('rolls back a failing migration whole', () => {
    const database = openDatabase(dataDir);
    expect(() =>
      migrate(database, 'bad', ['CREATE TABLE bad_a (id TEXT); CREATE TABLE bad_a (id TEXT)']),
    ).toThrow();
    expect(database.prepare("SELECT name FROM sqlite_master WHERE name = 'bad_a'").get()).toBeUndefined();
    database.close();
  });
});
