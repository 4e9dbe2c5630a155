import type { V1ListQuery } from '@threadline/shared';
import type { Page, PageQuery } from '../../engines/index.js';

export const toPageQuery = (query: V1ListQuery): PageQuery => ({
  limit: query.limit,
  order: query.order,
  after: query.after,
  before: query.before,
});

/** OpenAI's cursor list: `{ object: 'list', data, first_id, last_id, has_more }`. */
export function listEnvelope<T extends { id: string }>(page: Page<T>) {
  return {
    object: 'list' as const,
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.hasMore,
  };
}
