import { z } from 'zod';
import { ParamError, paramErrorOf } from './param-error.js';

type Scalar = string | number | boolean;
export type Attributes = Record<string, Scalar>;

/**
 * OpenAI's attribute filters for `file_search` (`filters` on the tool): a comparison of one
 * attribute with a value, or `and` / `or` over filters.
 */
export type AttributeFilter =
  | {
      type: 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'nin';
      key: string;
      value: Scalar | Array<string | number>;
    }
  | { type: 'and' | 'or'; filters: AttributeFilter[] };

const comparisonSchema = z.strictObject({
  type: z.enum(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'nin']),
  key: z.string().min(1).max(256),
  value: z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()])).max(256)]),
});
const compoundSchema: z.ZodType<AttributeFilter> = z.strictObject({
  type: z.enum(['and', 'or']),
  get filters() {
    return z.array(filterSchema).min(1).max(64);
  },
});
const filterSchema: z.ZodType<AttributeFilter> = z.union([comparisonSchema, compoundSchema]);

/** Reads a tool's `filters`; a bad one is a 400 naming where (`tools[0].filters.filters[1].type`). */
export function parseAttributeFilter(value: unknown, param: string): AttributeFilter {
  const parsed = filterSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  if (!issue) throw new Error('zod reported no issue');
  const { code, path, message, ...details } = issue;
  const error = paramErrorOf({ code, path: path as Array<string | number>, message, details }, value);
  const at = error.param === null ? param : `${param}${error.param.startsWith('[') ? '' : '.'}${error.param}`;
  throw new ParamError(error.message.replace(`'${error.param ?? ''}'`, `'${at}'`), at, error.openAiCode);
}

function compare(attribute: Scalar | undefined, filter: Extract<AttributeFilter, { key: string }>): boolean {
  const { value } = filter;
  switch (filter.type) {
    case 'eq':
      return attribute === value;
    case 'ne':
      return attribute !== value;
    case 'in':
      return Array.isArray(value) && attribute !== undefined && (value as Scalar[]).includes(attribute);
    case 'nin':
      return Array.isArray(value) && (attribute === undefined || !(value as Scalar[]).includes(attribute));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      // Numbers compare as numbers, strings (dates, versions) as strings; mixed never match.
      if (attribute === undefined || typeof attribute !== typeof value || typeof value === 'boolean')
        return false;
      const order = attribute < (value as Scalar) ? -1 : attribute > (value as Scalar) ? 1 : 0;
      return filter.type === 'gt'
        ? order > 0
        : filter.type === 'gte'
          ? order >= 0
          : filter.type === 'lt'
            ? order < 0
            : order <= 0;
    }
  }
}

/** Whether a file with these attributes passes the filter. */
export function matchesAttributes(attributes: Attributes, filter: AttributeFilter): boolean {
  if ('filters' in filter) {
    return filter.type === 'and'
      ? filter.filters.every((inner) => matchesAttributes(attributes, inner))
      : filter.filters.some((inner) => matchesAttributes(attributes, inner));
  }
  return compare(attributes[filter.key], filter);
}
