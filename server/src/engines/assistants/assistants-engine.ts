import {
  messageSchema,
  terminalRunStatuses,
  threadSchema,
  type AssistantStreamEvent,
  type Message,
  type ModelInfo,
  type Thread,
} from '@threadline/shared';
import OpenAI from 'openai';
import type { AssistantTool } from 'openai/resources/beta/assistants';
import { AppError } from '../../http/index.js';
import type { Engine, RunOptions, ToolOutput } from '../engine.js';
import { ActiveRuns } from '../upstream/index.js';
import { openAIFileApi, openAIVectorStoreApi, upstreamCaller } from '../upstream/index.js';
import { toUpstreamError } from '../upstream/index.js';
import { cancelAndWait } from './cancel-run.js';
import { ensureAssistant, type ResolvedAssistant } from './ensure-assistant.js';
import { relayUpstreamRun, type RelayDependencies } from './upstream-run-relay.js';
import type { UpstreamOptions } from '../upstream/index.js';
import { listOpenAIModels, probeOpenAI, upstreamIdentity } from '../upstream/index.js';

export type AssistantsEngineOptions = UpstreamOptions & {
  baseURL: string;
  apiKey?: string | undefined;
  /** When unset, an assistant with file_search is found or created on first use. */
  assistantId?: string | undefined;
  /** The model of the assistant found or created (ASSISTANTS_MODEL); unset: one that writes answers. */
  assistantModel?: string | undefined;
  /** How long a cancelled run may take to become terminal (server side) before giving up. */
  cancelTimeoutMs?: number;
  /** How long to keep relaying after a cancel, waiting for the server's own cancellation events. */
  cancelGraceMs?: number;
};

const setting = 'ASSISTANTS_API_KEY';
const fileSearchContent = 'step_details.tool_calls[*].file_search.results[*].content' as const;

/**
 * ENGINE=assistants: any server that still speaks the Assistants API (another Threadline's
 * /v1 included), through the SDK's `beta.threads`. Events are relayed as the server sends them,
 * validated with the shared schemas; a cancel asks the server to cancel and relays its answer.
 */
export class AssistantsEngine implements Engine {
  readonly name = 'assistants' as const;
  readonly identity: string;
  readonly vectorStores;
  readonly files;
  private readonly client: OpenAI;
  private readonly upstream = upstreamCaller(setting);
  private readonly runs = new ActiveRuns();
  private resolved: Promise<ResolvedAssistant> | undefined;
  private readonly cancelTimeoutMs: number;
  private readonly relayDependencies: RelayDependencies;

  constructor(private readonly options: AssistantsEngineOptions) {
    // The SDK insists on a key; servers without auth ignore the placeholder.
    this.client = new OpenAI({
      apiKey: options.apiKey ?? 'threadline',
      baseURL: options.baseURL,
      maxRetries: 2,
    });
    this.identity = upstreamIdentity(this.name, options.baseURL);
    this.vectorStores = openAIVectorStoreApi(this.client, this.upstream);
    this.files = openAIFileApi(this.client, this.upstream);
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? 15_000;
    this.relayDependencies = {
      runs: this.runs,
      cancelAndWait: (threadId, runId) =>
        cancelAndWait(this.client, threadId, runId, { timeoutMs: this.cancelTimeoutMs }),
      mapError: (error) => toUpstreamError(error, setting),
      graceMs: options.cancelGraceMs ?? 3000,
      logger: options.logger,
    };
  }

  async createThread(input: {
    vectorStoreIds?: string[] | undefined;
    metadata?: Record<string, string>;
  }): Promise<Thread> {
    const thread = await this.upstream(() =>
      this.client.beta.threads.create({
        ...(input.vectorStoreIds
          ? { tool_resources: { file_search: { vector_store_ids: input.vectorStoreIds } } }
          : {}),
        ...(input.metadata ? { metadata: input.metadata } : {}),
      }),
    );
    return threadSchema.parse(thread);
  }

  async getThread(threadId: string): Promise<Thread | null> {
    const thread = await this.unlessMissing(() => this.client.beta.threads.retrieve(threadId));
    return thread ? threadSchema.parse(thread) : null;
  }

  async deleteThread(threadId: string): Promise<boolean> {
    const deleted = await this.unlessMissing(() => this.client.beta.threads.delete(threadId));
    return deleted?.deleted ?? false;
  }

  /** Lists the thread's runs, cancels the live ones and waits until the server reports them terminal. */
  async cancelActiveRuns(threadId: string, signal?: AbortSignal): Promise<void> {
    await this.runs.cancel(threadId, 0);
    const page = await this.upstream(() =>
      this.client.beta.threads.runs.list(threadId, { limit: 20, order: 'desc' }),
    );
    const live = page.data.filter((run) => !terminalRunStatuses.includes(run.status));
    await Promise.all(
      live.map((run) =>
        cancelAndWait(this.client, threadId, run.id, { timeoutMs: this.cancelTimeoutMs, signal }),
      ),
    );
  }

  async appendMessage(
    threadId: string,
    input: { content: string; metadata?: Record<string, string> },
  ): Promise<Message> {
    const message = await this.upstream(() =>
      this.client.beta.threads.messages.create(threadId, {
        role: 'user',
        content: input.content,
        ...(input.metadata ? { metadata: input.metadata } : {}),
      }),
    );
    return messageSchema.parse(message);
  }

  streamRun(threadId: string, options: RunOptions, signal: AbortSignal): AsyncIterable<AssistantStreamEvent> {
    return relayUpstreamRun(this.relayDependencies, threadId, signal, undefined, async (requestSignal) => {
      // Assistants runs cannot name vector stores; the thread's tool resources decide.
      // Updated on every run, not cached: another instance may have changed the thread since.
      const stores = options.vectorStoreIds;
      if (stores) {
        await this.upstream(() =>
          this.client.beta.threads.update(threadId, {
            tool_resources: { file_search: { vector_store_ids: stores } },
          }),
        );
      }
      const assistantId = await this.resolveAssistant();
      return this.client.beta.threads.runs.stream(
        threadId,
        {
          assistant_id: assistantId,
          ...(options.model ? { model: options.model } : {}),
          ...(options.instructions ? { instructions: options.instructions } : {}),
          tools: this.toolsFor(options),
          include: [fileSearchContent],
        },
        { signal: requestSignal, maxRetries: 0 },
      );
    });
  }

  submitToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent> {
    return relayUpstreamRun(this.relayDependencies, threadId, signal, runId, async (requestSignal) =>
      this.client.beta.threads.runs.submitToolOutputsStream(
        runId,
        { thread_id: threadId, tool_outputs: toolOutputs },
        { signal: requestSignal, maxRetries: 0 },
      ),
    );
  }

  async listMessages(
    threadId: string,
    options: { limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<Message[]> {
    const limit = options.limit ?? 100;
    const messages: Message[] = [];
    const page = await this.upstream(async () =>
      this.client.beta.threads.messages.list(threadId, {
        limit: Math.min(limit, 100),
        order: options.order ?? 'asc',
      }),
    );
    for await (const message of page) {
      messages.push(messageSchema.parse(message));
      if (messages.length >= limit) break;
    }
    return messages;
  }

  async listModels(): Promise<ModelInfo[]> {
    return listOpenAIModels(this.client, this.upstream);
  }

  async health(): Promise<{ reachable: boolean; detail?: string }> {
    return probeOpenAI(this.client, 3000);
  }

  async close(): Promise<void> {
    this.runs.cancelAll();
  }

  private toolsFor(options: RunOptions): AssistantTool[] {
    const threshold = options.scoreThreshold ?? this.options.scoreThreshold;
    const tools: AssistantTool[] = [
      {
        type: 'file_search',
        file_search: {
          max_num_results: options.maxNumResults ?? this.options.maxNumResults,
          ...(threshold ? { ranking_options: { score_threshold: threshold } } : {}),
        },
      },
    ];
    for (const tool of options.tools ?? []) {
      if (tool.type !== 'function') continue;
      const { name, description, parameters, strict } = tool.function;
      tools.push({
        type: 'function',
        function: {
          name,
          ...(description === undefined ? {} : { description }),
          ...(parameters === undefined ? {} : { parameters }),
          ...(strict === undefined ? {} : { strict }),
        },
      });
    }
    return tools;
  }

  /**
   * The assistant runs use and its model: ASSISTANTS_ASSISTANT_ID's, else the one Threadline made
   * on the server (found, or created on first use; see ensureAssistant). Said at start.
   */
  async assistant(): Promise<ResolvedAssistant> {
    const pinned = this.options.assistantId;
    if (pinned) {
      const assistant = await this.upstream(() => this.client.beta.assistants.retrieve(pinned));
      return { id: assistant.id, model: assistant.model, reason: 'ASSISTANTS_ASSISTANT_ID' };
    }
    this.resolved ??= this.upstream(async () =>
      ensureAssistant(this.client, await this.listModels(), {
        named: this.options.assistantModel,
        configured: this.options.model,
      }),
    ).catch((error: unknown) => {
      this.resolved = undefined;
      throw error;
    });
    return this.resolved;
  }

  private async resolveAssistant(): Promise<string> {
    // A pinned assistant is used as it is: no round trip to read its model before each run.
    if (this.options.assistantId) return this.options.assistantId;
    return (await this.assistant()).id;
  }

  private async unlessMissing<T>(operation: () => Promise<T>): Promise<T | null> {
    try {
      return await this.upstream(operation);
    } catch (error) {
      if (error instanceof AppError && error.statusCode === 404) return null;
      throw error;
    }
  }
}
