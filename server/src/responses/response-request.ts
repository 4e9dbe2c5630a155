import type { ResponseCreateRequest, ResponseObject, Tool } from '@threadline/shared';
import { parseAttributeFilter, type AttributeFilter } from './attribute-filter.js';
import { ParamError } from './param-error.js';

/** What a create request asks the run to search, and with which functions it may answer. */
export type RequestedTools = {
  fileSearch: {
    vectorStoreIds: string[];
    maxNumResults: number | undefined;
    scoreThreshold: number | undefined;
    filter: AttributeFilter | undefined;
  } | null;
  /** The run's whole tool list, in the Assistants shape the engine runs. */
  runTools: Tool[];
};

export const conversationIdOf = (conversation: ResponseCreateRequest['conversation']): string | null =>
  conversation === undefined || conversation === null
    ? null
    : typeof conversation === 'string'
      ? conversation
      : conversation.id;

/**
 * The checks no schema can make, in OpenAI's words: `conversation` with `previous_response_id`,
 * a background response not stored, one `file_search` tool at most, and its filters.
 */
export function requestedTools(body: ResponseCreateRequest): RequestedTools {
  if (conversationIdOf(body.conversation) !== null && body.previous_response_id)
    throw new ParamError(
      "Mutually exclusive parameters: Ensure you are only providing one of: 'previous_response_id' or 'conversation'.",
      'conversation',
      'mutually_exclusive_parameters',
    );
  if (body.background === true && body.store === false)
    throw new ParamError(
      "Invalid value for 'store': background responses must be stored (store=true).",
      'store',
      'invalid_value',
    );
  const tools = body.tools ?? [];
  let fileSearch: RequestedTools['fileSearch'] = null;
  const runTools: Tool[] = [];
  tools.forEach((tool, index) => {
    if (tool.type === 'function') {
      runTools.push({
        type: 'function',
        function: {
          name: tool.name,
          ...(tool.description ? { description: tool.description } : {}),
          ...(tool.parameters ? { parameters: tool.parameters } : {}),
          ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
        },
      });
      return;
    }
    if (fileSearch)
      throw new ParamError(
        `Invalid 'tools[${index}]': only one file_search tool is allowed; give it every vector store.`,
        `tools[${index}]`,
        'invalid_value',
      );
    const threshold = tool.ranking_options?.score_threshold;
    fileSearch = {
      vectorStoreIds: tool.vector_store_ids,
      maxNumResults: tool.max_num_results,
      scoreThreshold: threshold,
      filter:
        tool.filters === undefined || tool.filters === null
          ? undefined
          : parseAttributeFilter(tool.filters, `tools[${index}].filters`),
    };
    runTools.unshift({
      type: 'file_search',
      file_search: {
        ...(tool.max_num_results ? { max_num_results: tool.max_num_results } : {}),
        ranking_options: { ranker: 'default_2024_08_21', score_threshold: threshold ?? 0 },
      },
    });
  });
  return { fileSearch, runTools };
}

/** The tools as the response echoes them, with OpenAI's defaults filled in. */
function echoedTools(body: ResponseCreateRequest): Array<Record<string, unknown>> {
  return (body.tools ?? []).map((tool) =>
    tool.type === 'function'
      ? {
          type: 'function',
          name: tool.name,
          description: tool.description ?? null,
          parameters: tool.parameters ?? null,
          strict: tool.strict ?? true,
        }
      : {
          type: 'file_search',
          vector_store_ids: tool.vector_store_ids,
          max_num_results: tool.max_num_results ?? 20,
          ranking_options: {
            ranker: tool.ranking_options?.ranker ?? 'auto',
            score_threshold: tool.ranking_options?.score_threshold ?? 0,
          },
          filters: tool.filters ?? null,
        },
  );
}

/**
 * The response as it starts, every request parameter echoed as OpenAI echoes it (sampling,
 * truncation, tool choice, text format are shown; the engine answers the same either way).
 */
export function initialResponse(
  body: ResponseCreateRequest,
  context: {
    id: string;
    createdAt: number;
    model: string;
    instructions: string | null;
    conversationId: string | null;
  },
): ResponseObject {
  return {
    id: context.id,
    object: 'response',
    created_at: context.createdAt,
    status: body.background === true ? 'queued' : 'in_progress',
    completed_at: null,
    background: body.background === true,
    error: null,
    incomplete_details: null,
    instructions: context.instructions,
    max_output_tokens: body.max_output_tokens ?? null,
    max_tool_calls: body.max_tool_calls ?? null,
    model: context.model,
    output: [],
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    conversation: context.conversationId === null ? null : { id: context.conversationId },
    reasoning: { effort: body.reasoning?.effort ?? null, summary: body.reasoning?.summary ?? null },
    service_tier: body.service_tier === 'auto' || !body.service_tier ? 'default' : body.service_tier,
    store: body.store !== false,
    temperature: body.temperature ?? 1,
    text: { format: body.text?.format ?? { type: 'text' }, verbosity: body.text?.verbosity ?? 'medium' },
    tool_choice: body.tool_choice ?? 'auto',
    tools: echoedTools(body),
    top_logprobs: body.top_logprobs ?? 0,
    top_p: body.top_p ?? 1,
    truncation: body.truncation ?? 'disabled',
    usage: null,
    user: body.user ?? null,
    safety_identifier: body.safety_identifier ?? null,
    prompt_cache_key: body.prompt_cache_key ?? null,
    metadata: body.metadata ?? {},
  };
}
