import { describe, expect, it } from 'vitest';
import { cursorPage } from './cursor-page.js';
import type { PageQuery } from './json-table.js';

const items = ['a', 'b', 'c', 'd', 'e'].map((id) => ({ id }));

describe('cursorPage', () => {
  it.each<[string, PageQuery, string[], boolean]>([
    ['newest first', { limit: 2, order: 'desc' }, ['e', 'd'], true],
    ['oldest first, all', { limit: 10, order: 'asc' }, ['a', 'b', 'c', 'd', 'e'], false],
    ['after, ascending', { limit: 2, order: 'asc', after: 'b' }, ['c', 'd'], true],
    ['after, descending', { limit: 5, order: 'desc', after: 'c' }, ['b', 'a'], false],
    [
      'before, ascending: the objects right before the cursor',
      { limit: 2, order: 'asc', before: 'd' },
      ['b', 'c'],
      true,
    ],
    ['before, ascending, reaching the start', { limit: 5, order: 'asc', before: 'c' }, ['a', 'b'], false],
    ['before, descending', { limit: 2, order: 'desc', before: 'b' }, ['d', 'c'], true],
    ['before, descending, reaching the start', { limit: 2, order: 'desc', before: 'd' }, ['e'], false],
    ['after and before', { limit: 2, order: 'asc', after: 'a', before: 'e' }, ['b', 'c'], true],
    ['unknown after: from the start', { limit: 2, order: 'asc', after: 'zz' }, ['a', 'b'], true],
  ])('%s', (_name, query, ids, hasMore) => {
    const page = cursorPage(items, query);
    expect(page.data.map((item) => item.id)).toEqual(ids);
    expect(page.hasMore).toBe(hasMore);
  });
});
