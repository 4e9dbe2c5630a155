import { describe, expect, it } from 'vitest';
import { buildResponsesTools } from './responses-tools.js';

const defaults = { maxNumResults: 20 };
const weather = {
  type: 'function' as const,
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

describe('buildResponsesTools', () => {
  it.each([
    { name: 'no stores, no functions', stores: [], options: {}, expected: [] },
    {
      name: 'stores with the default result count',
      stores: ['vs_1', 'vs_2'],
      options: {},
      expected: [{ type: 'file_search', vector_store_ids: ['vs_1', 'vs_2'], max_num_results: 20 }],
    },
    {
      name: 'run options override count and threshold',
      stores: ['vs_1'],
      options: { maxNumResults: 5, scoreThreshold: 0.4 },
      expected: [
        {
          type: 'file_search',
          vector_store_ids: ['vs_1'],
          max_num_results: 5,
          ranking_options: { score_threshold: 0.4 },
        },
      ],
    },
    {
      name: 'function tools flattened to the Responses shape',
      stores: [],
      options: { tools: [weather, { type: 'code_interpreter' as const }] },
      expected: [
        {
          type: 'function',
          name: 'get_weather',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
          strict: false,
        },
      ],
    },
  ])('$name', ({ stores, options, expected }) => {
    expect(buildResponsesTools(stores, options, defaults)).toEqual(expected);
  });

  it('uses the configured threshold when the run has none, and skips a zero threshold', () => {
    expect(buildResponsesTools(['vs_1'], {}, { maxNumResults: 3, scoreThreshold: 0.2 })[0]).toMatchObject({
      ranking_options: { score_threshold: 0.2 },
    });
    expect(buildResponsesTools(['vs_1'], {}, { maxNumResults: 3, scoreThreshold: 0 })[0]).not.toHaveProperty(
      'ranking_options',
    );
  });
});
