import { randomUUID } from 'node:crypto';
import type { AssistantStreamEvent, Message, ModelInfo, RunStep, Thread } from '@threadline/shared';
import OpenAI, { APIConnectionError } from 'openai';
import type { Stream } from 'openai/core/streaming';
import type {
  ResponseInputItem,
  ResponseStreamEvent,
  Tool as ResponsesTool,
} from 'openai/resources/responses/responses';
import type { Engine, RunOptions, ToolOutput } from '../engine.js';
import { ActiveRuns } from '../upstream/index.js';
import { toAssistantsTools } from './assistants-objects.js';
import {
  defaultLockRetry,
  retryWhileConversationLocked,
  type LockRetryOptions,
} from './conversation-lock-retry.js';
import {
  toMessage,
  toThread,
  userMessage,
  vectorStoresMetadataKey,
  vectorStoresOf,
} from './conversation-objects.js';
import { openAIFileApi, openAIVectorStoreApi, upstreamCaller } from '../upstream/index.js';
import { ResponsesEventMapper } from './responses-event-mapper.js';
import { buildResponsesTools } from './responses-tools.js';
import { untilAborted } from '../../common/index.js';
import { isAbortError, toUpstreamError } from '../upstream/index.js';
import { listOpenAIModels, probeOpenAI, upstreamIdentity, type UpstreamOptions } from '../upstream/index.js';

export type OpenAIEngineOptions = UpstreamOptions & {
  apiKey: string;
  baseURL?: string | undefined;
  lockRetry?: LockRetryOptions;
  healthTimeoutMs?: number;
};

const setting = 'OPENAI_API_KEY';
const now = () => Math.floor(Date.now() / 1000);

/**
 * ENGINE=openai: a thread is a conversation, a run is a streamed response with `file_search`
 * over the thread's vector stores, mapped to Assistants events. A message appended to a thread
 * waits here and becomes the next response's `input`: one request instead of two, and the
 * conversation records it together with the answer.
 */
export class OpenAIEngine implements Engine {
  readonly name = 'openai' as const;
  readonly identity: string;
  readonly vectorStores;
  readonly files;
  private readonly client: OpenAI;
  private readonly upstream = upstreamCaller(setting);
  private readonly runs = new ActiveRuns();
  private readonly pendingInput = new Map<string, ResponseInputItem[]>();
  private readonly waitingForOutputs = new Map<string, { options: RunOptions; steps: RunStep[] }>();

  constructor(private readonly options: OpenAIEngineOptions) {
    this.client = new OpenAI({ apiKey: options.apiKey, baseURL: options.baseURL ?? null, maxRetries: 2 });
    this.identity = upstreamIdentity(this.name, this.client.baseURL);
    this.vectorStores = openAIVectorStoreApi(this.client, this.upstream);
    this.files = openAIFileApi(this.client, this.upstream);
  }

  async createThread(input: {
    vectorStoreIds?: string[] | undefined;
    metadata?: Record<string, string>;
  }): Promise<Thread> {
    const stores = input.vectorStoreIds ?? [];
    const metadata = {
      ...input.metadata,
      ...(stores.length > 0 ? { [vectorStoresMetadataKey]: stores.join(',') } : {}),
    };
    return toThread(await this.upstream(() => this.client.conversations.create({ metadata })));
  }

  async getThread(threadId: string): Promise<Thread | null> {
    const conversation = await this.findConversation(threadId);
    return conversation ? toThread(conversation) : null;
  }

  async deleteThread(threadId: string): Promise<boolean> {
    try {
      return (await this.upstream(() => this.client.conversations.delete(threadId))).deleted;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  async cancelActiveRuns(threadId: string): Promise<void> {
    await this.runs.cancel(threadId, 2000);
  }

  async appendMessage(
    threadId: string,
    input: { content: string; metadata?: Record<string, string> },
  ): Promise<Message> {
    const item: ResponseInputItem = { type: 'message', role: 'user', content: input.content };
    this.pendingInput.set(threadId, [...(this.pendingInput.get(threadId) ?? []), item]);
    return userMessage(
      threadId,
      `msg_${randomUUID().replaceAll('-', '')}`,
      input.content,
      now(),
      input.metadata ?? {},
    );
  }

  streamRun(threadId: string, options: RunOptions, signal: AbortSignal): AsyncIterable<AssistantStreamEvent> {
    const input = this.pendingInput.get(threadId) ?? [];
    this.pendingInput.delete(threadId);
    return this.respond(threadId, options, input, signal);
  }

  submitToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent> {
    const waiting = this.waitingForOutputs.get(runId);
    this.waitingForOutputs.delete(runId);
    const outputs = new Map(toolOutputs.map((output) => [output.tool_call_id, output.output]));
    const steps = (waiting?.steps ?? []).map((step) => withOutputs(step, outputs));
    const input: ResponseInputItem[] = toolOutputs.map((output) => ({
      type: 'function_call_output',
      call_id: output.tool_call_id,
      output: output.output,
    }));
    return this.respond(threadId, waiting?.options ?? {}, input, signal, { runId, steps });
  }

  async listMessages(
    threadId: string,
    options: { limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<Message[]> {
    const conversation = await this.findConversation(threadId);
    if (!conversation) return [];
    const limit = options.limit ?? 100;
    const messages: Message[] = [];
    const page = await this.upstream(async () =>
      this.client.conversations.items.list(threadId, {
        limit: Math.min(limit, 100),
        order: options.order ?? 'asc',
      }),
    );
    for await (const item of page) {
      const message = toMessage(item, threadId, conversation.created_at);
      if (message) messages.push(message);
      if (messages.length >= limit) break;
    }
    return messages;
  }

  async listModels(): Promise<ModelInfo[]> {
    return listOpenAIModels(this.client, this.upstream);
  }

  async health(): Promise<{ reachable: boolean; detail?: string }> {
    return probeOpenAI(this.client, this.options.healthTimeoutMs ?? 3000);
  }

  async close(): Promise<void> {
    this.runs.cancelAll();
  }

  private async *respond(
    threadId: string,
    options: RunOptions,
    input: ResponseInputItem[],
    signal: AbortSignal,
    continuation?: { runId: string; steps: RunStep[] },
  ): AsyncGenerator<AssistantStreamEvent> {
    const { run, end } = this.runs.start(threadId, signal);
    try {
      const tools = await this.toolsFor(threadId, options);
      const model = options.model ?? this.options.model;
      const mapper = new ResponsesEventMapper({
        threadId,
        continuesRunId: continuation?.runId,
        completedToolSteps: continuation?.steps,
        placeholder: { model, instructions: options.instructions ?? null, tools: toAssistantsTools(tools) },
      });
      run.onCancel = async () => {
        const response = mapper.upstreamResponse;
        if (response?.background) await this.client.responses.cancel(response.id);
      };
      let stream: Stream<ResponseStreamEvent>;
      try {
        stream = await retryWhileConversationLocked(
          () =>
            this.client.responses.create(
              {
                model,
                conversation: threadId,
                input,
                tools,
                ...(options.instructions ? { instructions: options.instructions } : {}),
                ...(tools.some((tool) => tool.type === 'file_search')
                  ? { include: ['file_search_call.results'] }
                  : {}),
                stream: true,
              },
              // A 429 goes straight back to the client with its Retry-After instead of waiting here.
              { signal: run.controller.signal, maxRetries: 0 },
            ),
          this.options.lockRetry ?? defaultLockRetry,
          run.controller.signal,
        );
      } catch (error) {
        if (run.controller.signal.aborted) return yield* mapper.cancel();
        throw toUpstreamError(error, setting);
      }
      try {
        for await (const event of untilAborted(stream, run.controller.signal)) {
          yield* mapper.map(event);
          if (mapper.isFinished) break;
        }
      } catch (error) {
        if (!run.controller.signal.aborted && !isAbortError(error)) {
          this.options.logger?.warn({ err: error }, 'OpenAI stream broke mid-run');
          return yield* mapper.fail(
            error instanceof APIConnectionError ? 'connection_error' : 'server_error',
          );
        }
      }
      if (run.controller.signal.aborted && !mapper.isFinished) {
        await run.onCancel().catch(() => undefined);
        return yield* mapper.cancel();
      }
      if (!mapper.isFinished) return yield* mapper.fail('stream_ended');
      const waiting = mapper.pendingToolSteps;
      if (waiting.length > 0 && mapper.runId)
        this.waitingForOutputs.set(mapper.runId, { options, steps: waiting });
    } finally {
      end();
    }
  }

  private async toolsFor(threadId: string, options: RunOptions): Promise<ResponsesTool[]> {
    const conversation = options.vectorStoreIds ? undefined : await this.findConversation(threadId);
    const vectorStoreIds = options.vectorStoreIds ?? (conversation ? vectorStoresOf(conversation) : []);
    return buildResponsesTools(vectorStoreIds, options, this.options);
  }

  private async findConversation(threadId: string) {
    try {
      return await this.upstream(() => this.client.conversations.retrieve(threadId));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }
}

const isNotFound = (error: unknown) =>
  error instanceof Error && 'statusCode' in error && error.statusCode === 404;

function withOutputs(step: RunStep, outputs: Map<string, string>): RunStep {
  if (step.step_details.type !== 'tool_calls') return step;
  const toolCalls = step.step_details.tool_calls.map((call) =>
    call.type === 'function'
      ? { ...call, function: { ...call.function, output: outputs.get(call.id) ?? null } }
      : call,
  );
  return { ...step, step_details: { type: 'tool_calls', tool_calls: toolCalls } };
}
