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
  topicFileIds?: readonly string[],
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
  /** Files the answer a follow-up continues cited, where its answer most likely is. */
  topicFileIds?: readonly string[];
  search: SearchKnowledge;
  signal: AbortSignal;
}): Promise<SearchHit[] | null> {
  const { publisher, plan, query } = input;
  const callId = newId('call');
  const step = publisher.createStep({ type: 'tool_calls', tool_calls: [fileSearchCall(callId, plan, [])] });
  publisher.publishToolCallDeltas(step.id, [{ index: 0, type: 'file_search', file_search: {} }]);
  let hits: SearchHit[] = [];
  if (query.trim() !== '' && plan.vectorStoreIds.length > 0) {
    hits = await input.search(plan.vectorStoreIds, query, plan, input.emphasis, input.topicFileIds ?? []);
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
 * A follow-up is also searched in its own words among the files the answer it continues cited:
 * searched with that question, "How do I check whether it already exists?" after decorating the
 * Fastify instance found passages about decorating, never the `hasDecorator(name)` entry of the
 * page already cited. The chunks are chosen from the store's best `filteredPoolSize` for those
 * words, so a cited file none of whose chunks rank there adds nothing.
 */
export async function searchExistingStores(
  vectorStores: VectorStoreApi,
  vectorStoreIds: string[],
  query: string,
  plan: RunPlan,
  emphasis: SearchEmphasis | null = null,
  topicFileIds: readonly string[] = [],
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
  const perExtra = (most: number) => Math.min(most, Math.floor(plan.maxNumResults / 4));
  // A follow-up's query holds the question it continues too: only a question of its own compares.
  const compared = emphasis === null ? comparedThings(query) : null;
  const topics = new Set(topicFileIds);
  const extras: Array<() => Promise<SearchHit[]>> = [];
  if (compared && perExtra(hitsPerComparedThing) > 0)
    for (const [name = ''] of compared)
      extras.push(() => ranked({ ...request, query: name, maxNumResults: perExtra(hitsPerComparedThing) }));
  if (emphasis !== null && topics.size > 0 && perExtra(hitsPerTopicSearch) > 0) {
    // The follow-up's own words, unweighted and without the question it continues: within the
    // cited files, what the follow-up asks is the whole query.
    const { emphasis: _weighted, ...ownWords } = request;
    extras.push(() =>
      ranked({ ...ownWords, query: emphasis.text.slice(0, 4096), maxNumResults: filteredPoolSize }).then(
        (pool) => pool.filter((hit) => topics.has(hit.fileId)).slice(0, perExtra(hitsPerTopicSearch)),
      ),
    );
  }
  if (extras.length === 0) return ranked(request);
  const [whole = [], ...each] = await Promise.all([ranked(request), ...extras.map((search) => search())]);
  // The whole question's ranking stays as it is; the extra searches' chunks it lacks close the list.
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
/**
 * How many chunks of the files a conversation cited a follow-up is searched for, in its own words
 * (a quarter of the results at most). Measured with `npm run bench:answers` (MiniLM, nine sets):
 * Fastify follow-ups 0.60 -> 0.80 at 1, 2 or 3, every other correct, follow-up and refusal figure
 * unchanged; searched but only the top hits read, or every cited file's hit read but not
 * searched, nothing moved.
 */
const hitsPerTopicSearch = 2;

/** How many ranked hits a filtered search chooses from. */
const filteredPoolSize = 200;
