import type { Assistant, Message, Run, RunStep, Thread, Tool } from '@threadline/shared';
export { extractiveModelId } from '@threadline/shared';
import { newId, nowSeconds } from '../store/ids.js';

/** Ten minutes, as OpenAI gave a run to finish (or to receive its tool outputs). */
export const runLifetimeSeconds = 600;

export function newThread(vectorStoreIds: string[], metadata: Record<string, string> | null): Thread {
  return {
    id: newId('thread'),
    object: 'thread',
    created_at: nowSeconds(),
    metadata: metadata ?? {},
    tool_resources: { file_search: { vector_store_ids: vectorStoreIds } },
  };
}

export function newMessage(
  threadId: string,
  input: {
    content: string;
    role?: 'user' | 'assistant';
    metadata?: Record<string, string> | null | undefined;
    attachments?: Message['attachments'] | undefined;
  },
): Message {
  const now = nowSeconds();
  return {
    id: newId('msg'),
    object: 'thread.message',
    created_at: now,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: now,
    incomplete_at: null,
    role: input.role ?? 'user',
    content: [{ type: 'text', text: { value: input.content, annotations: [] } }],
    assistant_id: null,
    run_id: null,
    attachments: input.attachments ?? [],
    metadata: input.metadata ?? {},
  };
}

export function newRun(input: {
  thread: Thread;
  assistant: Assistant;
  model: string;
  instructions: string | null;
  tools: Tool[];
  metadata: Record<string, string> | null;
  /** Sampling and truncation settings a /v1 caller chose; echoed on the run object. */
  parameters?: RunParameters | undefined;
}): Run {
  const now = nowSeconds();
  return {
    id: newId('run'),
    object: 'thread.run',
    created_at: now,
    thread_id: input.thread.id,
    assistant_id: input.assistant.id,
    status: 'queued',
    required_action: null,
    last_error: null,
    expires_at: now + runLifetimeSeconds,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: input.model,
    instructions: input.instructions,
    tools: input.tools,
    metadata: input.metadata ?? {},
    usage: null,
    temperature: input.assistant.temperature ?? 1,
    top_p: input.assistant.top_p ?? 1,
    max_prompt_tokens: null,
    max_completion_tokens: null,
    truncation_strategy: { type: 'auto', last_messages: null },
    tool_choice: 'auto',
    parallel_tool_calls: true,
    response_format: 'auto',
    ...input.parameters,
  };
}

export type RunParameters = Partial<
  Pick<
    Run,
    | 'temperature'
    | 'top_p'
    | 'max_prompt_tokens'
    | 'max_completion_tokens'
    | 'truncation_strategy'
    | 'tool_choice'
    | 'parallel_tool_calls'
    | 'response_format'
  >
>;

export function newAssistant(input: {
  model: string;
  name?: string | null | undefined;
  description?: string | null | undefined;
  instructions?: string | null | undefined;
  tools?: Tool[] | undefined;
  vectorStoreIds?: string[] | undefined;
  metadata?: Record<string, string> | null | undefined;
  temperature?: number | null | undefined;
  top_p?: number | null | undefined;
  id?: string;
}): Assistant {
  return {
    id: input.id ?? newId('asst'),
    object: 'assistant',
    created_at: nowSeconds(),
    name: input.name ?? null,
    description: input.description ?? null,
    model: input.model,
    instructions: input.instructions ?? null,
    tools: input.tools ?? [],
    tool_resources: { file_search: { vector_store_ids: input.vectorStoreIds ?? [] } },
    metadata: input.metadata ?? {},
    temperature: input.temperature ?? 1,
    top_p: input.top_p ?? 1,
    response_format: 'auto',
  };
}

/**
 * File search results keep their chunk text in storage; like OpenAI, it is only shown when the
 * caller asks with `include[]=step_details.tool_calls[*].file_search.results[*].content`.
 */
export function withoutResultContent(step: RunStep): RunStep {
  if (step.step_details.type !== 'tool_calls') return step;
  return {
    ...step,
    step_details: {
      type: 'tool_calls',
      tool_calls: step.step_details.tool_calls.map((call) =>
        call.type === 'file_search' && call.file_search.results
          ? {
              ...call,
              file_search: {
                ...call.file_search,
                results: call.file_search.results.map(({ content: _content, ...result }) => result),
              },
            }
          : call,
      ),
    },
  };
}

export const textOf = (message: Message) =>
  message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('\n');
