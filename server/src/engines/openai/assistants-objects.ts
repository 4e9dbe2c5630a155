import type { Message, Run, RunStatus, RunStep, Tool, ToolCall, Usage } from '@threadline/shared';
import { inProgressRunStep } from '@threadline/shared';
import type {
  Response as OpenAIResponse,
  ResponseUsage,
  Tool as ResponsesTool,
} from 'openai/resources/responses/responses';

/** Builders of Assistants objects out of Responses objects; pure, shared by mapper and engine. */

/** Assistants objects name an assistant; a Responses run has none, so this stands in. */
export const responsesAssistantId = 'asst_openai_responses';

export type UpstreamRunContext = { runId: string; threadId: string };

/** What a run snapshot needs from a response; a placeholder run supplies the same fields. */
export type RunSource = Pick<
  OpenAIResponse,
  | 'created_at'
  | 'model'
  | 'instructions'
  | 'tools'
  | 'metadata'
  | 'temperature'
  | 'top_p'
  | 'parallel_tool_calls'
> & { usage?: ResponseUsage | undefined };

export function toUsage(usage: ResponseUsage | undefined | null): Usage | null {
  if (!usage) return null;
  return {
    prompt_tokens: usage.input_tokens,
    completion_tokens: usage.output_tokens,
    total_tokens: usage.total_tokens,
  };
}

export function toAssistantsTools(tools: readonly ResponsesTool[]): Tool[] {
  return tools.flatMap((tool): Tool[] => {
    if (tool.type === 'file_search') {
      const threshold = tool.ranking_options?.score_threshold;
      return [
        {
          type: 'file_search',
          file_search: {
            ...(tool.max_num_results === undefined ? {} : { max_num_results: tool.max_num_results }),
            ...(threshold === undefined
              ? {}
              : {
                  ranking_options: {
                    ranker: tool.ranking_options?.ranker ?? 'auto',
                    score_threshold: threshold,
                  },
                }),
          },
        },
      ];
    }
    if (tool.type === 'function') {
      return [
        {
          type: 'function',
          function: {
            name: tool.name,
            ...(tool.description ? { description: tool.description } : {}),
            ...(tool.parameters ? { parameters: tool.parameters } : {}),
            strict: tool.strict,
          },
        },
      ];
    }
    return [];
  });
}

const stringMetadata = (metadata: unknown): Record<string, string> | null => {
  if (typeof metadata !== 'object' || metadata === null) return null;
  const entries = Object.entries(metadata).filter(
    (entry): entry is [string, string] => typeof entry[1] === 'string',
  );
  return Object.fromEntries(entries);
};

/** A run snapshot; timestamps are the caller's (the Responses object has no per-status times). */
export function toRun(
  response: RunSource,
  context: UpstreamRunContext,
  status: RunStatus,
  times: Partial<Pick<Run, 'started_at' | 'cancelled_at' | 'failed_at' | 'completed_at'>> = {},
): Run {
  return {
    id: context.runId,
    object: 'thread.run',
    created_at: Math.floor(response.created_at),
    thread_id: context.threadId,
    assistant_id: responsesAssistantId,
    status,
    required_action: null,
    last_error: null,
    expires_at: null,
    started_at: times.started_at ?? null,
    cancelled_at: times.cancelled_at ?? null,
    failed_at: times.failed_at ?? null,
    completed_at: times.completed_at ?? null,
    incomplete_details: null,
    model: response.model,
    instructions: typeof response.instructions === 'string' ? response.instructions : null,
    tools: toAssistantsTools(response.tools),
    metadata: stringMetadata(response.metadata),
    usage: toUsage(response.usage),
    temperature: response.temperature,
    top_p: response.top_p,
    parallel_tool_calls: response.parallel_tool_calls,
  };
}

export function newStep(
  context: UpstreamRunContext,
  id: string,
  createdAt: number,
  details: { messageId: string } | { toolCalls: ToolCall[] },
): RunStep {
  return inProgressRunStep({
    id,
    createdAt,
    assistantId: responsesAssistantId,
    threadId: context.threadId,
    runId: context.runId,
    details:
      'messageId' in details
        ? { type: 'message_creation', message_creation: { message_id: details.messageId } }
        : { type: 'tool_calls', tool_calls: details.toolCalls },
  });
}

export function newAssistantMessage(context: UpstreamRunContext, id: string, createdAt: number): Message {
  return {
    id,
    object: 'thread.message',
    created_at: createdAt,
    thread_id: context.threadId,
    status: 'in_progress',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role: 'assistant',
    content: [],
    assistant_id: responsesAssistantId,
    run_id: context.runId,
    attachments: [],
    metadata: {},
  };
}
