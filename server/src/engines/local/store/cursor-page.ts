import type { Page, PageQuery } from './json-table.js';

/**
 * OpenAI's cursor page over an in-memory, oldest-first list. In list order, `after` keeps what
 * follows its object and `before` what precedes it; with `before` alone the page is the `limit`
 * objects right before the cursor (still in list order) and `has_more` says whether more lie
 * beyond them, so paging backwards mirrors paging forwards. Unknown cursors are `undefined`
 * positions: the caller decides whether that is an error.
 */
export function cursorPage<T extends { id: string }>(oldestFirst: readonly T[], query: PageQuery): Page<T> {
  let items = query.order === 'asc' ? [...oldestFirst] : [...oldestFirst].reverse();
  const afterIndex = query.after === undefined ? -1 : items.findIndex((item) => item.id === query.after);
  const beforeIndex =
    query.before === undefined ? items.length : items.findIndex((item) => item.id === query.before);
  items = items.slice(afterIndex + 1, beforeIndex === -1 ? items.length : beforeIndex);
  if (query.before !== undefined && query.after === undefined) {
    const start = Math.max(0, items.length - query.limit);
    return { data: items.slice(start), hasMore: start > 0 };
  }
  return { data: items.slice(0, query.limit), hasMore: items.length > query.limit };
}

/** OpenAI's cursor list of a page: `{ object: 'list', data, first_id, last_id, has_more }`. */
export function listEnvelope<T extends { id: string }>(page: Page<T>) {
  return {
    object: 'list' as const,
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.hasMore,
  };
}
