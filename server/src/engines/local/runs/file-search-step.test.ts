import type { SearchHit } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import type { EngineSearchRequest, VectorStoreApi } from '../../engine.js';
import { searchExistingStores } from './file-search-step.js';
import type { RunPlan } from './run-plan.js';

const hitOf = (chunkId: string): SearchHit => ({
  // A chunk named `cited…` belongs to the file the conversation cited.
  fileId: chunkId.startsWith('cited') ? 'file-cited' : 'file-1',
  fileName: 'package-json.html',
  chunkId,
  score: 0.5,
  text: chunkId,
  keywordRank: 1,
  vectorRank: null,
});

/** One store whose search answers each query with the chunks listed for it, recording the requests. */
function storeAnswering(results: Record<string, string[]>) {
  const requests: EngineSearchRequest[] = [];
  const vectorStores = {
    get: async (id: string) => ({ id }),
    search: async (_ids: string[], request: EngineSearchRequest) => {
      requests.push(request);
      return (results[request.query] ?? []).slice(0, request.maxNumResults).map(hitOf);
    },
  } as unknown as VectorStoreApi;
  return { vectorStores, requests };
}

const plan = (maxNumResults: number): RunPlan => ({
  vectorStoreIds: ['vs_1'],
  isFileSearchOn: true,
  maxNumResults,
  scoreThreshold: undefined,
  includeResultContent: true,
});

describe('searchExistingStores', () => {
  const question = 'What is the difference between dependencies and devDependencies?';
  const whole = Array.from({ length: 20 }, (_, index) => `q${index}`);

  it('searches a comparison for each thing too, keeping the whole question’s ranking first', async () => {
    const { vectorStores, requests } = storeAnswering({
      [question]: whole,
      dependencies: ['q1', 'deps', 'deps2', 'deps3', 'deps4'],
      devdependencies: ['dev', 'q2', 'dev2'],
    });
    const hits = await searchExistingStores(vectorStores, ['vs_1'], question, plan(20));
    expect(requests.map((request) => [request.query, request.maxNumResults])).toEqual([
      [question, 20],
      ['dependencies', 4],
      ['devdependencies', 4],
    ]);
    // Each thing's chunks the whole question lacks close the list, within max_num_results.
    // q1 and q2 were the things' chunks too: found once, where the whole question ranks them.
    expect(hits.map((hit) => hit.chunkId)).toEqual([
      ...whole.slice(0, 15),
      'deps',
      'deps2',
      'deps3',
      'dev',
      'dev2',
    ]);
  });

  it('adds at most a quarter of max_num_results, and nothing for other questions or follow-ups', async () => {
    const { vectorStores, requests } = storeAnswering({
      [question]: whole,
      dependencies: ['deps', 'deps2'],
      devdependencies: ['dev', 'dev2'],
      'How do I add a dependency?': whole,
    });
    const few = await searchExistingStores(vectorStores, ['vs_1'], question, plan(4));
    expect(few.map((hit) => hit.chunkId)).toEqual(['q0', 'q1', 'deps', 'dev']);
    requests.length = 0;
    // Fewer than four results leave no room: the question is searched as it is.
    const three = await searchExistingStores(vectorStores, ['vs_1'], question, plan(3));
    expect(three.map((hit) => hit.chunkId)).toEqual(['q0', 'q1', 'q2']);
    expect(requests).toHaveLength(1);
    requests.length = 0;
    await searchExistingStores(vectorStores, ['vs_1'], 'How do I add a dependency?', plan(20));
    await searchExistingStores(vectorStores, ['vs_1'], question, plan(20), { text: question, weight: 2 });
    expect(requests).toHaveLength(2);
  });

  it('searches a follow-up in its own words among the files the conversation cited', async () => {
    const first = 'How do I decorate the Fastify instance with a utility function?';
    const followUp = 'How do I check whether it already exists?';
    const query = `${first}\n${followUp}`;
    const { vectorStores, requests } = storeAnswering({
      [query]: whole,
      // The follow-up's own best chunks: another file's, one the whole query found, two cited ones.
      [followUp]: ['elsewhere', 'q3', 'cited-has', 'cited-get', 'cited-more'],
    });
    const emphasis = { text: followUp, weight: 2 };
    const hits = await searchExistingStores(vectorStores, ['vs_1'], query, plan(20), emphasis, [
      'file-cited',
    ]);
    // Searched unweighted, from the pool a filtered search chooses from, and only the cited
    // file's best two chunks close the list.
    expect(requests.map((request) => [request.query, request.maxNumResults, request.emphasis])).toEqual([
      [query, 20, emphasis],
      [followUp, 200, undefined],
    ]);
    expect(hits.map((hit) => hit.chunkId)).toEqual([...whole.slice(0, 18), 'cited-has', 'cited-get']);
    requests.length = 0;
    // A question of its own, or a follow-up whose conversation cited nothing, is searched once.
    await searchExistingStores(vectorStores, ['vs_1'], followUp, plan(20), null, ['file-cited']);
    await searchExistingStores(vectorStores, ['vs_1'], query, plan(20), emphasis, []);
    expect(requests).toHaveLength(2);
  });
});
