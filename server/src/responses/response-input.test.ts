import type { ResponseCreateRequest } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { ParamError } from './param-error.js';
import { parseInput } from './response-input.js';

describe('parseInput', () => {
  it.each<[string, ResponseCreateRequest['input'], ReturnType<typeof parseInput>]>([
    ['nothing', undefined, { messages: [], instructions: [], outputs: [] }],
    ['a string', 'Hi', { messages: [{ role: 'user', text: 'Hi' }], instructions: [], outputs: [] }],
    [
      'messages of every role, text parts joined',
      [
        { role: 'developer', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'a' },
            { type: 'input_text', text: 'b' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'c' }] },
        { role: 'system', content: 'Cite sources.' },
      ],
      {
        messages: [
          { role: 'user', text: 'a\nb' },
          { role: 'assistant', text: 'c' },
        ],
        instructions: ['Be brief.', 'Cite sources.'],
        outputs: [],
      },
    ],
    [
      'a function call given back with its output (the history before them is the thread’s)',
      [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{}' },
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
        { type: 'function_call_output', call_id: 'call_2', output: [{ type: 'input_text', text: 'cold' }] },
      ],
      {
        messages: [{ role: 'user', text: 'Weather?' }],
        instructions: [],
        outputs: [
          { callId: 'call_1', output: 'sunny' },
          { callId: 'call_2', output: 'cold' },
        ],
      },
    ],
  ])('reads %s', (_name, input, expected) => {
    expect(parseInput(input)).toEqual(expected);
  });

  it.each<[string, ResponseCreateRequest['input'], string]>([
    ['an empty string', '  ', 'input'],
    ['an image', [{ role: 'user', content: [{ type: 'input_image' }] }], 'input[0].content[0].type'],
    ['an empty message', [{ role: 'user', content: '' }], 'input[0].content'],
    ['an item reference', [{ type: 'item_reference', id: 'msg_1' }], 'input[0].type'],
    [
      'a message after function outputs',
      [
        { type: 'function_call_output', call_id: 'call_1', output: 'x' },
        { role: 'user', content: 'And then?' },
      ],
      'input[1]',
    ],
  ])('refuses %s, naming %s', (_name, input, param) => {
    let error: unknown;
    try {
      parseInput(input);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ParamError);
    expect(error).toMatchObject({ statusCode: 400, param, openAiCode: 'invalid_value' });
  });

  it('names a conversation’s items as items', () => {
    expect(() => parseInput([{ role: 'user', content: [{ type: 'input_file' }] }], 'items')).toThrow(
      expect.objectContaining({ param: 'items[0].content[0].type' }) as Error,
    );
  });
});
