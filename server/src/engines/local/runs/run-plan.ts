import type { Assistant, SearchHit, Thread, Tool } from '@threadline/shared';
import type { Config } from '../../../config.js';
import type { RunOptions } from '../../engine.js';
import type { RunParameters } from './run-objects.js';

export type LocalRunOptions = RunOptions & {
  assistantId?: string | undefined;
  metadata?: Record<string, string> | null | undefined;
  includeResultContent?: boolean | undefined;
  /** The run's whole tool list (as /v1 gives it); otherwise file_search plus `tools`. */
  runTools?: Tool[] | undefined;
  parameters?: RunParameters | undefined;
  /** Keeps only the hits it accepts (the Responses API's attribute `filters`). */
  hitFilter?: ((hit: SearchHit) => boolean) | undefined;
};

/** How a run retrieves, fixed when it starts. */
export type RunPlan = {
  vectorStoreIds: string[];
  isFileSearchOn: boolean;
  maxNumResults: number;
  scoreThreshold: number | undefined;
  includeResultContent: boolean;
  hitFilter?: ((hit: SearchHit) => boolean) | undefined;
};

export type RetrievalDefaults = Pick<Config, 'RETRIEVAL_MAX_RESULTS' | 'RETRIEVAL_SCORE_THRESHOLD'>;

/** The Engine contract keeps file_search always on; /v1 passes the run's whole list instead. */
export const runToolsOf = (options: LocalRunOptions): Tool[] =>
  options.runTools ?? [
    { type: 'file_search' as const },
    ...(options.tools ?? []).filter((tool) => tool.type !== 'file_search'),
  ];

/**
 * Settings win in order: the request's options, the run's file_search tool, then the server's
 * defaults (a zero threshold there means "no threshold").
 */
export function planRun(input: {
  thread: Thread;
  assistant: Assistant;
  tools: Tool[];
  options: LocalRunOptions;
  defaults: RetrievalDefaults;
}): RunPlan {
  const { thread, assistant, options, defaults } = input;
  const fileSearch = input.tools.find((tool) => tool.type === 'file_search');
  return {
    vectorStoreIds: options.vectorStoreIds ?? [
      ...new Set([
        ...(thread.tool_resources?.file_search?.vector_store_ids ?? []),
        ...(assistant.tool_resources?.file_search?.vector_store_ids ?? []),
      ]),
    ],
    isFileSearchOn: fileSearch !== undefined,
    maxNumResults:
      options.maxNumResults ?? fileSearch?.file_search?.max_num_results ?? defaults.RETRIEVAL_MAX_RESULTS,
    scoreThreshold:
      options.scoreThreshold ??
      fileSearch?.file_search?.ranking_options?.score_threshold ??
      (defaults.RETRIEVAL_SCORE_THRESHOLD > 0 ? defaults.RETRIEVAL_SCORE_THRESHOLD : undefined),
    includeResultContent: options.includeResultContent ?? false,
    ...(options.hitFilter ? { hitFilter: options.hitFilter } : {}),
  };
}
