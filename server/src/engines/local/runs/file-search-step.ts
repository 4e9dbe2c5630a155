import type { SearchHit, ToolCall } from '@threadline/shared';
import type { SearchEmphasis, VectorStoreApi } from '../../engine.js';
import { comparedThings } from '../answer/compared-things.js';
import { newId } from '../store/ids.js';
import type { RunPlan } from './run-plan.js';
import type { RunPublisher } from './run-publisher.js';

export type SearchKnowledge = (
  vectorStoreIds: string[],
  query: string,
  plan: RunPlan,
  emphasis: SearchEmphasis | null,
) => Promise<SearchHit[]>;

const toResults = (hits: SearchHit[], isContentShown = true) =>
  hits.map((hit) => ({
    file_id: hit.fileId,
    file_name: hit.fileName,
    score: hit.score,
    ...(isContentShown ? { content: [{ type: 'text' as const, text: hit.text }] } : {}),
  }));

const fileSearchCall = (id: string, plan: RunPlan, hits: SearchHit[]): ToolCall => ({
  id,
  type: 'file_search',
  file_search: {
    ranking_options: { ranker: 'default_2024_08_21', score_threshold: plan.scoreThreshold ?? 0 },
    results: toResults(hits),
  },
});

/**
 * Retrieval shown as OpenAI shows it: a `file_search` tool-call step announced with no results,
 * a delta opening the call (the SDKs' `toolCallCreated`) while the search runs, a delta with
 * the results (`toolCallDelta`), then completed with them (`toolCallDone`). Answers null,
 * leaving the step open for the cancel to close, when `signal` aborted during the search.
 */
export async function fileSearchStep(input: {
  publisher: RunPublisher;
  plan: RunPlan;
  query: string;
  /** Words of the query the search weighs more (a follow-up's own), or null. */
  emphasis: SearchEmphasis | null;
  search: SearchKnowledge;
  signal: AbortSignal;
}): Promise<SearchHit[] | null> {
  const { publisher, plan, query } = input;
  const callId = newId('call');
  const step = publisher.createStep({ type: 'tool_calls', tool_calls: [fileSearchCall(callId, plan, [])] });
  publisher.publishToolCallDeltas(step.id, [{ index: 0, type: 'file_search', file_search: {} }]);
  let hits: SearchHit[] = [];
  if (query.trim() !== '' && plan.vectorStoreIds.length > 0) {
    hits = await input.search(plan.vectorStoreIds, query, plan, input.emphasis);
  }
  if (input.signal.aborted) return null;
  // Each result carries its place in the list: an array delta entry without `index` makes
  // openai-node 7's AssistantStream throw ("Expected array delta entry to have an index property").
  const results = toResults(hits, publisher.isResultContentShown).map((result, index) => ({
    index,
    ...result,
  }));
  publisher.publishToolCallDeltas(step.id, [{ index: 0, type: 'file_search', file_search: { results } }]);
  publisher.finishStep(
    { ...step, step_details: { type: 'tool_calls', tool_calls: [fileSearchCall(callId, plan, hits)] } },
    'completed',
  );
  return hits;
}

/**
 * Stores deleted since the thread named them are skipped rather than failing the run. A question
 * comparing two things ("the difference between dependencies and devDependencies") is also
 * searched for each of them alone, as OpenAI's file_search splits a complex query into several
 * searches: the comparison's words find passages that mention both, rarely the entry of each.
 */
export async function searchExistingStores(
  vectorStores: VectorStoreApi,
  vectorStoreIds: string[],
  query: string,
  plan: RunPlan,
  emphasis: SearchEmphasis | null = null,
): Promise<SearchHit[]> {
  const existing = await Promise.all(vectorStoreIds.map((id) => vectorStores.get(id)));
  const ids = existing.flatMap((store) => (store ? [store.id] : []));
  if (ids.length === 0) return [];
  const request = {
    query: query.slice(0, 4096),
    ...(emphasis ? { emphasis: { ...emphasis, text: emphasis.text.slice(0, 4096) } } : {}),
    maxNumResults: plan.maxNumResults,
    ...(plan.scoreThreshold !== undefined ? { scoreThreshold: plan.scoreThreshold } : {}),
  };
  const ranked = async (searched: typeof request): Promise<SearchHit[]> => {
    if (!plan.hitFilter) return vectorStores.search(ids, searched);
    // A filter drops hits after ranking: rank a wider pool so up to max_num_results remain.
    const pool = await vectorStores.search(ids, { ...searched, maxNumResults: filteredPoolSize });
    return pool.filter(plan.hitFilter).slice(0, searched.maxNumResults);
  };
  // A follow-up's query holds the question it continues too: only a question of its own compares.
  const compared = emphasis === null ? comparedThings(query) : null;
  const perThing = Math.min(hitsPerComparedThing, Math.floor(plan.maxNumResults / 4));
  if (!compared || perThing === 0) return ranked(request);
  const [whole = [], ...each] = await Promise.all([
    ranked(request),
    ...compared.map(([name = '']) => ranked({ ...request, query: name, maxNumResults: perThing })),
  ]);
  // The whole question's ranking stays as it is; each thing's best chunks it lacks close the list.
  const found = new Set(whole.map((hit) => hit.chunkId));
  const added: SearchHit[] = [];
  for (const hit of each.flat()) {
    if (found.has(hit.chunkId)) continue;
    found.add(hit.chunkId);
    added.push(hit);
  }
  return [...whole.slice(0, plan.maxNumResults - added.length), ...added];
}

/** How many chunks each thing a question compares is searched for, alone (a quarter of the results at most). */
const hitsPerComparedThing = 4;

/** How many ranked hits a filtered search chooses from. */
const filteredPoolSize = 200;
