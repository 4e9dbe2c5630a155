import { responseCreateSchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { paramErrorOf, paramName } from './param-error.js';

const firstError = (input: Record<string, unknown>) => {
  const parsed = responseCreateSchema.safeParse(input);
  if (parsed.success) throw new Error('expected a validation error');
  const issue = parsed.error.issues[0];
  if (!issue) throw new Error('no issue');
  const { code, path, message, ...details } = issue;
  return paramErrorOf({ code, path: path as Array<string | number>, message, details }, input);
};

describe('paramName', () => {
  it.each([
    [['model'], 'model'],
    [['tools', 0, 'type'], 'tools[0].type'],
    [['input', 2, 'content', 1], 'input[2].content[1]'],
    [[], ''],
  ])('%j → %s', (path, name) => expect(paramName(path)).toBe(name));
});

describe('paramErrorOf: a create body’s first problem in OpenAI’s terms', () => {
  it.each([
    [{ bogus: 1 }, 'bogus', 'unknown_parameter', "Unknown parameter: 'bogus'."],
    [
      { temperature: 3 },
      'temperature',
      'decimal_above_max_value',
      "Invalid 'temperature': expected a value <= 2.",
    ],
    [{ top_p: -1 }, 'top_p', 'decimal_below_min_value', "Invalid 'top_p': expected a value >= 0."],
    [{ temperature: 'hot' }, 'temperature', 'invalid_type', undefined],
    [{ truncation: 'sometimes' }, 'truncation', 'invalid_value', undefined],
    [{ include: ['nothing.at.all'] }, 'include[0]', 'invalid_value', undefined],
    [{ tools: new Array(129).fill({ type: 'file_search' }) }, 'tools', 'array_above_max_length', undefined],
    [{ tools: [{ type: 'function' }] }, 'tools[0].name', 'missing_required_parameter', undefined],
    [{ tools: [{ type: 'web_search' }] }, 'tools[0].type', 'invalid_value', undefined],
    [{ input: [{ type: 'web_search_call' }] }, 'input[0].type', 'invalid_value', undefined],
    [{ input: [{ role: 'bot', content: 'hi' }] }, 'input[0].role', 'invalid_value', undefined],
    [
      { input: [{ type: 'function_call_output', call_id: 'call_1' }] },
      'input[0].output',
      'missing_required_parameter',
      undefined,
    ],
  ])('%j → %s (%s)', (input, param, code, message) => {
    const error = firstError(input);
    expect(error.statusCode).toBe(400);
    expect(error.param).toBe(param);
    expect(error.openAiCode).toBe(code);
    if (message) expect(error.message).toBe(message);
  });
});
