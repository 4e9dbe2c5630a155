import type { Tool } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { newAssistant, newThread } from './run-objects.js';
import { planRun, runToolsOf, type LocalRunOptions, type RetrievalDefaults } from './run-plan.js';

const thread = newThread(['vs_thread', 'vs_shared'], null);
const assistant = newAssistant({ model: 'm', vectorStoreIds: ['vs_shared', 'vs_assistant'] });
const defaults: RetrievalDefaults = { RETRIEVAL_MAX_RESULTS: 20, RETRIEVAL_SCORE_THRESHOLD: 0 };
const tunedSearch: Tool = {
  type: 'file_search',
  file_search: { max_num_results: 5, ranking_options: { score_threshold: 0.4 } },
};
const lookup: Tool = { type: 'function', function: { name: 'lookup' } };

describe('runToolsOf', () => {
  it.each<[string, LocalRunOptions, Tool[]]>([
    ['file_search alone by default', {}, [{ type: 'file_search' }]],
    ['file_search first, extra tools after', { tools: [lookup] }, [{ type: 'file_search' }, lookup]],
    ['a second file_search is dropped', { tools: [tunedSearch, lookup] }, [{ type: 'file_search' }, lookup]],
    ['the /v1 list as given', { runTools: [lookup], tools: [tunedSearch] }, [lookup]],
  ])('%s', (_name, options, expected) => {
    expect(runToolsOf(options)).toEqual(expected);
  });
});

describe('planRun', () => {
  type Case = [string, Tool[], LocalRunOptions, Partial<RetrievalDefaults>, Record<string, unknown>];
  it.each<Case>([
    [
      'thread and assistant stores, once each, with server defaults',
      [{ type: 'file_search' }],
      {},
      {},
      {
        vectorStoreIds: ['vs_thread', 'vs_shared', 'vs_assistant'],
        isFileSearchOn: true,
        maxNumResults: 20,
        scoreThreshold: undefined,
        includeResultContent: false,
      },
    ],
    ['the tool tunes retrieval', [tunedSearch], {}, {}, { maxNumResults: 5, scoreThreshold: 0.4 }],
    [
      'request options beat the tool',
      [tunedSearch],
      { vectorStoreIds: ['vs_x'], maxNumResults: 3, scoreThreshold: 0.9, includeResultContent: true },
      {},
      { vectorStoreIds: ['vs_x'], maxNumResults: 3, scoreThreshold: 0.9, includeResultContent: true },
    ],
    [
      'a positive server threshold applies',
      [{ type: 'file_search' }],
      {},
      { RETRIEVAL_SCORE_THRESHOLD: 0.2 },
      { scoreThreshold: 0.2 },
    ],
    ['no file_search tool, no search', [lookup], {}, {}, { isFileSearchOn: false, maxNumResults: 20 }],
  ])('%s', (_name, tools, options, overrides, expected) => {
    const plan = planRun({ thread, assistant, tools, options, defaults: { ...defaults, ...overrides } });
    expect(plan).toMatchObject(expected);
  });
});
