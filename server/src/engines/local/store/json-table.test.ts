import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openDatabase, type SqliteDatabase } from '../../../sqlite/index.js';
import { JsonTable, type PageQuery } from './json-table.js';

const itemSchema = z.object({ id: z.string(), label: z.string() });

describe('JsonTable cursor pages', () => {
  let dataDir: string;
  let database: SqliteDatabase;
  let table: JsonTable<z.infer<typeof itemSchema>>;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'threadline-json-table-'));
    database = openDatabase(dataDir);
    database.exec('CREATE TABLE items (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT UNIQUE, data TEXT)');
    table = new JsonTable(database, 'items', itemSchema);
    for (const id of ['a', 'b', 'c', 'd', 'e']) table.insert({ id, label: id.toUpperCase() });
  });
  afterEach(() => {
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.each<[string, PageQuery, string[], boolean]>([
    ['newest first by default order desc', { limit: 2, order: 'desc' }, ['e', 'd'], true],
    ['oldest first', { limit: 10, order: 'asc' }, ['a', 'b', 'c', 'd', 'e'], false],
    ['after, ascending', { limit: 2, order: 'asc', after: 'b' }, ['c', 'd'], true],
    ['after, descending', { limit: 5, order: 'desc', after: 'c' }, ['b', 'a'], false],
    ['before, ascending', { limit: 5, order: 'asc', before: 'c' }, ['a', 'b'], false],
    [
      'before, ascending: the rows right before it',
      { limit: 2, order: 'asc', before: 'd' },
      ['b', 'c'],
      true,
    ],
    ['before, descending', { limit: 2, order: 'desc', before: 'b' }, ['d', 'c'], true],
    ['before, descending, reaching the end', { limit: 2, order: 'desc', before: 'd' }, ['e'], false],
    ['after and before', { limit: 5, order: 'asc', after: 'a', before: 'e' }, ['b', 'c', 'd'], false],
  ])('%s', (_name, query, ids, hasMore) => {
    const page = table.list(null, query);
    expect(page.data.map((item) => item.id)).toEqual(ids);
    expect(page.hasMore).toBe(hasMore);
  });

  it('reads back what it stored, validated, and updates in place', () => {
    table.update({ id: 'c', label: 'changed' });
    expect(table.get('c')).toEqual({ id: 'c', label: 'changed' });
    expect(table.delete('c')).toBe(true);
    expect(table.get('c')).toBeNull();
    database.prepare('UPDATE items SET data = \'{"id":"a"}\' WHERE id = \'a\'').run();
    expect(() => table.get('a')).toThrow();
  });
});
