import { AppError } from '../http/index.js';

/**
 * A 4xx in OpenAI's shape that names the parameter at fault and a stable code, as OpenAI's
 * Responses and Conversations APIs answer (`param: "tools[0].type"`, `code: "invalid_value"`).
 * Thrown by the responses service; the route's error handler reads `param` and `openAiCode`.
 */
export class ParamError extends AppError {
  constructor(
    message: string,
    readonly param: string | null,
    readonly openAiCode: string | null,
    statusCode = 400,
  ) {
    super(statusCode === 404 ? 'not_found' : 'bad_request', statusCode, message);
  }
}

/** `['input', 0, 'content']` → `input[0].content`, as OpenAI names a parameter. */
export function paramName(path: ReadonlyArray<string | number>): string {
  let name = '';
  for (const segment of path) {
    if (typeof segment === 'number' || /^\d+$/.test(segment)) name += `[${segment}]`;
    else name += name === '' ? segment : `.${segment}`;
  }
  return name;
}

/** One validation issue as zod reports it (through fastify-type-provider-zod or directly). */
export type ValidationIssue = {
  code: string;
  path: ReadonlyArray<string | number>;
  message: string;
  /** The issue's own fields: `keys`, `maximum`, `minimum`, `origin`, `values`, `expected`. */
  details: Record<string, unknown>;
};

const has = (value: unknown, path: ReadonlyArray<string | number>): boolean => {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return false;
    if (!Object.prototype.hasOwnProperty.call(current, segment)) return false;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current !== undefined;
};

const isTypeIssue = (issue: { path?: unknown }) => Array.isArray(issue.path) && issue.path.at(-1) === 'type';

/**
 * For a union (an item or tool told apart by `type`), the problem of the branch its `type` chose:
 * `tools[0].name` missing rather than "tools[0] is invalid".
 */
function unionBranchIssue(issue: ValidationIssue): ValidationIssue | null {
  const found = issue.details['errors'];
  if (issue.code !== 'invalid_union' || !Array.isArray(found) || found.length === 0) return null;
  const branches = found.filter((branch): branch is Array<Record<string, unknown>> => Array.isArray(branch));
  // A branch of another kind altogether (a string where an array was given) says nothing.
  const isOtherKind = (branch: Array<Record<string, unknown>>) =>
    branch.length === 1 &&
    branch[0]?.['code'] === 'invalid_type' &&
    Array.isArray(branch[0]['path']) &&
    branch[0]['path'].length === 0;
  const candidates = branches.filter((branch) => branch.length > 0 && !isOtherKind(branch));
  // Every branch wanted another kind of value (or the value is missing).
  if (candidates.length === 0)
    return { code: 'invalid_type', path: issue.path, message: issue.message, details: {} };
  const chosen = candidates.find((branch) => !branch.some(isTypeIssue));
  if (!chosen)
    return {
      code: 'invalid_value',
      path: [...issue.path, 'type'],
      message: 'not a type Threadline takes',
      details: {},
    };
  const first = chosen[0];
  if (!first) return null;
  const { code, path, message, ...details } = first;
  return {
    code: String(code),
    path: [...issue.path, ...(Array.isArray(path) ? (path as Array<string | number>) : [])],
    message: String(message),
    details,
  };
}

const numberKind = (origin: unknown) =>
  origin === 'array' ? 'array' : origin === 'string' ? 'string' : 'number';

/**
 * Turns the first validation issue into OpenAI's wording and code: an unknown parameter, a
 * missing one, a bad type, a value out of range or not among the allowed ones.
 */
export function paramErrorOf(issue: ValidationIssue, input: unknown): ParamError {
  const branch = unionBranchIssue(issue);
  if (branch) return paramErrorOf(branch, input);
  const keys = issue.details['keys'];
  if (issue.code === 'unrecognized_keys' && Array.isArray(keys) && typeof keys[0] === 'string') {
    const param = paramName([...issue.path, keys[0]]);
    return new ParamError(`Unknown parameter: '${param}'.`, param, 'unknown_parameter');
  }
  const param = paramName(issue.path) || null;
  const named = param ?? 'the request body';
  if (issue.code === 'invalid_type' && !has(input, issue.path)) {
    return new ParamError(`Missing required parameter: '${named}'.`, param, 'missing_required_parameter');
  }
  if (issue.code === 'invalid_type') {
    const expected =
      typeof issue.details['expected'] === 'string' ? issue.details['expected'] : 'another type';
    return new ParamError(`Invalid type for '${named}': expected ${expected}.`, param, 'invalid_type');
  }
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const kind = numberKind(issue.details['origin']);
    const isAbove = issue.code === 'too_big';
    const bound = isAbove ? issue.details['maximum'] : issue.details['minimum'];
    const code =
      kind === 'array'
        ? `array_${isAbove ? 'above_max' : 'below_min'}_length`
        : kind === 'string'
          ? `string_${isAbove ? 'above_max' : 'below_min'}_length`
          : `${isAbove ? 'decimal_above_max' : 'decimal_below_min'}_value`;
    const limit =
      kind === 'number'
        ? `a value ${isAbove ? '<=' : '>='} ${String(bound)}`
        : `${isAbove ? 'at most' : 'at least'} ${String(bound)}`;
    return new ParamError(`Invalid '${named}': expected ${limit}.`, param, code);
  }
  return new ParamError(`Invalid value for '${named}': ${issue.message}.`, param, 'invalid_value');
}
