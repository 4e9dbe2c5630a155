import type { V1ListQuery } from '@threadline/shared';
import type { PageQuery } from '../../engines/index.js';

export const toPageQuery = (query: V1ListQuery): PageQuery => ({
  limit: query.limit,
  order: query.order,
  after: query.after,
  before: query.before,
});
