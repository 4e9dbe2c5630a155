import type { Tool as ResponsesTool } from 'openai/resources/responses/responses';
import type { RunOptions } from '../engine.js';

/**
 * The `tools` of a Responses request: `file_search` over the run's vector stores (left out
 * when there are none: OpenAI rejects an empty store list) plus the run's function tools.
 */
export function buildResponsesTools(
  vectorStoreIds: readonly string[],
  options: Pick<RunOptions, 'tools' | 'maxNumResults' | 'scoreThreshold'>,
  defaults: { maxNumResults: number; scoreThreshold?: number | undefined },
): ResponsesTool[] {
  const tools: ResponsesTool[] = [];
  if (vectorStoreIds.length > 0) {
    const threshold = options.scoreThreshold ?? defaults.scoreThreshold;
    tools.push({
      type: 'file_search',
      vector_store_ids: [...vectorStoreIds],
      max_num_results: options.maxNumResults ?? defaults.maxNumResults,
      ...(threshold ? { ranking_options: { score_threshold: threshold } } : {}),
    });
  }
  for (const tool of options.tools ?? []) {
    if (tool.type !== 'function') continue;
    tools.push({
      type: 'function',
      name: tool.function.name,
      ...(tool.function.description ? { description: tool.function.description } : {}),
      parameters: tool.function.parameters ?? { type: 'object', properties: {} },
      strict: tool.function.strict ?? false,
    });
  }
  return tools;
}
