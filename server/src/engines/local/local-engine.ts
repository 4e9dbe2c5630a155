import type {
  Assistant,
  AssistantStreamEvent,
  Message,
  ModelInfo,
  Run,
  RunStep,
  SearchHit,
  Thread,
  Tool,
} from '@threadline/shared';
import { terminalRunStatuses } from '@threadline/shared';
import type { Config } from '../../config.js';
import type { SqliteDatabase } from '../../db/database.js';
import { AppError } from '../../errors/app-error.js';
import type { Engine, FileApi, RunOptions, ToolOutput, VectorStoreApi } from '../engine.js';
import type { Answerer } from './answer/answer-piece.js';
import { extractiveAnswerer } from './answer/extractive-answer.js';
import { createLlmAnswerer } from './answer/llm-answerer.js';
import { EngineStore } from './engine-store.js';
import type { Page, PageQuery } from './json-table.js';
import { expireIfDue, recoverInterruptedRuns } from './run-recovery.js';
import {
  extractiveModelId,
  newAssistant,
  newMessage,
  newRun,
  newThread,
  withoutResultContent,
  type RunParameters,
} from './run-objects.js';
import { RunTask, type RunPlan } from './run-task.js';

export type KnowledgeLike = {
  vectorStores: VectorStoreApi;
  files: FileApi;
  close(): Promise<void> | void;
};

export type LocalEngineConfig = Pick<
  Config,
  'LLM_BASE_URL' | 'LLM_API_KEY' | 'LLM_MODEL' | 'RETRIEVAL_MAX_RESULTS' | 'RETRIEVAL_SCORE_THRESHOLD'
>;

export type LocalRunOptions = RunOptions & {
  assistantId?: string | undefined;
  metadata?: Record<string, string> | null | undefined;
  includeResultContent?: boolean | undefined;
  /** The run's whole tool list (as /v1 gives it); otherwise file_search plus `tools`. */
  runTools?: Tool[] | undefined;
  parameters?: RunParameters | undefined;
};

export const defaultAssistantId = 'asst_threadline';

const closeGraceMs = 2000;
const delay = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());

const notFound = (what: string, id: string) =>
  new AppError('not_found', 404, `No ${what} found with id '${id}'.`);

/** The embedded engine: Assistants semantics over SQLite state and the local knowledge base. */
export class LocalEngine<Knowledge extends KnowledgeLike = KnowledgeLike> implements Engine {
  readonly name = 'local' as const;
  readonly store: EngineStore;
  private readonly tasks = new Map<string, RunTask>();
  private readonly llmAnswerer: Answerer | null;

  constructor(
    private readonly options: {
      database: SqliteDatabase;
      knowledge: Knowledge;
      config: LocalEngineConfig;
      /** Whether close() closes the database (true when the engine opened it). */
      ownsDatabase?: boolean;
    },
  ) {
    this.store = new EngineStore(options.database);
    recoverInterruptedRuns(this.store);
    const { config } = options;
    this.llmAnswerer = config.LLM_BASE_URL
      ? createLlmAnswerer({ baseURL: config.LLM_BASE_URL, apiKey: config.LLM_API_KEY ?? 'not-needed' })
      : null;
    if (!this.store.assistants.get(defaultAssistantId)) {
      this.store.assistants.insert(
        newAssistant({
          id: defaultAssistantId,
          name: 'Threadline',
          model: this.defaultModel,
          tools: [{ type: 'file_search' }],
        }),
      );
    }
  }

  get knowledge(): Knowledge {
    return this.options.knowledge;
  }
  get vectorStores(): VectorStoreApi {
    return this.options.knowledge.vectorStores;
  }
  get files(): FileApi {
    return this.options.knowledge.files;
  }
  get defaultModel(): string {
    return this.options.config.LLM_BASE_URL ? this.options.config.LLM_MODEL : extractiveModelId;
  }

  // --- assistants ---
  createAssistant(input: Parameters<typeof newAssistant>[0], owner?: string): Assistant {
    const assistant = newAssistant(input);
    this.store.assistants.insert(assistant, undefined, owner);
    return assistant;
  }
  getAssistant(assistantId: string): Assistant {
    return this.store.assistants.get(assistantId) ?? throwError(notFound('assistant', assistantId));
  }
  listAssistants(query: PageQuery, visibleTo?: string): Page<Assistant> {
    return this.store.assistants.list(null, query, visibleTo);
  }
  updateAssistant(
    assistantId: string,
    changes: Partial<Omit<Assistant, 'id' | 'object' | 'created_at'>>,
  ): Assistant {
    const updated = { ...this.getAssistant(assistantId), ...changes };
    this.store.assistants.update(updated);
    return updated;
  }
  deleteAssistant(assistantId: string): boolean {
    if (assistantId === defaultAssistantId) {
      throw new AppError('bad_request', 400, 'The built-in Threadline assistant cannot be deleted.');
    }
    return this.store.assistants.delete(assistantId);
  }

  // --- threads and messages ---
  async createThread(input: {
    vectorStoreIds?: string[] | undefined;
    metadata?: Record<string, string> | null;
    messages?: Array<{
      content: string;
      role?: 'user' | 'assistant';
      metadata?: Record<string, string> | null;
    }>;
    /** Set by /v1: the user the thread belongs to. */
    owner?: string;
  }): Promise<Thread> {
    const vectorStoreIds = input.vectorStoreIds ?? [];
    await this.assertVectorStores(vectorStoreIds);
    const thread = newThread(vectorStoreIds, input.metadata ?? null);
    this.store.transaction(() => {
      this.store.threads.insert(thread, undefined, input.owner);
      for (const message of input.messages ?? [])
        this.store.messages.insert(newMessage(thread.id, message), thread.id);
    });
    return thread;
  }
  async getThread(threadId: string): Promise<Thread | null> {
    return this.store.threads.get(threadId);
  }
  async updateThread(
    threadId: string,
    changes: { metadata?: Record<string, string> | null | undefined; vectorStoreIds?: string[] | undefined },
  ): Promise<Thread> {
    const thread = this.requireThread(threadId);
    if (changes.vectorStoreIds) await this.assertVectorStores(changes.vectorStoreIds);
    const updated: Thread = {
      ...thread,
      ...(changes.metadata !== undefined ? { metadata: changes.metadata ?? {} } : {}),
      ...(changes.vectorStoreIds
        ? { tool_resources: { file_search: { vector_store_ids: changes.vectorStoreIds } } }
        : {}),
    };
    this.store.threads.update(updated);
    return updated;
  }
  async deleteThread(threadId: string): Promise<boolean> {
    if (!this.store.threads.get(threadId)) return false;
    await this.cancelActiveRuns(threadId);
    return this.store.threads.delete(threadId);
  }

  async appendMessage(
    threadId: string,
    input: { content: string; metadata?: Record<string, string> | null; role?: 'user' | 'assistant' },
  ): Promise<Message> {
    this.requireThread(threadId);
    const active = this.activeRun(threadId);
    if (active) {
      throw new AppError(
        'thread_busy',
        400,
        `Can't add messages to ${threadId} while a run ${active.id} is active.`,
      );
    }
    const message = newMessage(threadId, input);
    this.store.messages.insert(message, threadId);
    return message;
  }
  getMessage(threadId: string, messageId: string): Message {
    this.requireThread(threadId);
    const message = this.store.messages.get(messageId);
    if (message?.thread_id !== threadId) throw notFound('message', messageId);
    return message;
  }
  updateMessage(threadId: string, messageId: string, metadata: Record<string, string> | null): Message {
    const updated = { ...this.getMessage(threadId, messageId), metadata: metadata ?? {} };
    this.store.messages.update(updated);
    return updated;
  }
  deleteMessage(threadId: string, messageId: string): void {
    this.getMessage(threadId, messageId);
    this.store.messages.delete(messageId);
  }
  listMessagePage(threadId: string, query: PageQuery & { runId?: string | undefined }): Page<Message> {
    this.requireThread(threadId);
    if (query.runId === undefined) return this.store.messages.list(threadId, query);
    const all = this.store.messages.list(threadId, { ...query, limit: 10_000 });
    const data = all.data.filter((message) => message.run_id === query.runId);
    return { data: data.slice(0, query.limit), hasMore: data.length > query.limit };
  }
  async listMessages(
    threadId: string,
    options: { limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<Message[]> {
    return this.listMessagePage(threadId, { limit: options.limit ?? 100, order: options.order ?? 'desc' })
      .data;
  }

  // --- runs ---
  /** Creates a run and starts it; with `subscribe` the returned events are the run's whole stream. */
  startRun(
    threadId: string,
    options: LocalRunOptions,
    subscribe: boolean,
  ): { run: Run; events: AsyncIterable<AssistantStreamEvent> | null; task: RunTask } {
    const thread = this.requireThread(threadId);
    const assistant = this.getAssistant(options.assistantId ?? defaultAssistantId);
    const active = this.activeRun(threadId);
    if (active)
      throw new AppError('thread_busy', 400, `Thread ${threadId} already has an active run ${active.id}.`);
    const tools = options.runTools ?? [
      { type: 'file_search' as const },
      ...(options.tools ?? []).filter((tool) => tool.type !== 'file_search'),
    ];
    const run = newRun({
      thread,
      assistant,
      model: options.model ?? assistant.model,
      instructions: options.instructions ?? assistant.instructions,
      tools,
      metadata: options.metadata ?? null,
      parameters: options.parameters,
    });
    const fileSearch = tools.find((tool) => tool.type === 'file_search');
    const { config } = this.options;
    const plan: RunPlan = {
      vectorStoreIds: options.vectorStoreIds ?? [
        ...new Set([
          ...(thread.tool_resources?.file_search?.vector_store_ids ?? []),
          ...(assistant.tool_resources?.file_search?.vector_store_ids ?? []),
        ]),
      ],
      isFileSearchOn: fileSearch !== undefined,
      maxNumResults:
        options.maxNumResults ?? fileSearch?.file_search?.max_num_results ?? config.RETRIEVAL_MAX_RESULTS,
      scoreThreshold:
        options.scoreThreshold ??
        fileSearch?.file_search?.ranking_options?.score_threshold ??
        (config.RETRIEVAL_SCORE_THRESHOLD > 0 ? config.RETRIEVAL_SCORE_THRESHOLD : undefined),
      includeResultContent: options.includeResultContent ?? false,
    };
    this.store.runs.insert(run, threadId);
    const task = new RunTask(this.taskDeps(), run);
    const events = subscribe ? task.hub.subscribe() : null;
    task.start(plan);
    this.track(task);
    return { run, events, task };
  }

  streamRun(threadId: string, options: RunOptions, signal: AbortSignal): AsyncIterable<AssistantStreamEvent> {
    return this.follow(() => this.startRun(threadId, options, true), signal);
  }

  getRun(threadId: string, runId: string): Run {
    const run = this.store.runs.get(runId);
    if (run?.thread_id !== threadId) throw notFound('run', runId);
    return this.tasks.get(runId)?.run ?? expireIfDue(this.store, run);
  }
  updateRunMetadata(threadId: string, runId: string, metadata: Record<string, string> | null): Run {
    const task = this.tasks.get(runId);
    const updated = { ...this.getRun(threadId, runId), metadata: metadata ?? {} };
    if (task) task.run = { ...task.run, metadata: metadata ?? {} };
    this.store.runs.update(task?.run ?? updated);
    return task?.run ?? updated;
  }
  listRuns(threadId: string, query: PageQuery): Page<Run> {
    this.requireThread(threadId);
    const page = this.store.runs.list(threadId, query);
    return { ...page, data: page.data.map((run) => expireIfDue(this.store, run)) };
  }
  listSteps(threadId: string, runId: string, query: PageQuery, isContentShown = false): Page<RunStep> {
    this.getRun(threadId, runId);
    const page = this.store.steps.list(runId, query);
    return isContentShown ? page : { ...page, data: page.data.map(withoutResultContent) };
  }
  getStep(threadId: string, runId: string, stepId: string, isContentShown = false): RunStep {
    this.getRun(threadId, runId);
    const step = this.store.steps.get(stepId);
    if (step?.run_id !== runId) throw notFound('run step', stepId);
    return isContentShown ? step : withoutResultContent(step);
  }

  /** Asks a run to stop; answers at once with the run as it is (`cancelling` while work stops). */
  cancelRun(threadId: string, runId: string): Run {
    const run = this.getRun(threadId, runId);
    const task = this.tasks.get(runId);
    if (task && !terminalRunStatuses.includes(run.status)) {
      task.requestCancel();
      return task.run;
    }
    if (run.status !== 'requires_action') {
      throw new AppError('bad_request', 400, `Cannot cancel run with status '${run.status}'.`);
    }
    const now = Math.floor(Date.now() / 1000);
    const cancelled: Run = { ...run, status: 'cancelled', cancelled_at: now, required_action: null };
    this.store.transaction(() => {
      this.store.runs.update(cancelled);
      for (const step of this.store.steps.list(runId, { limit: 100, order: 'asc' }).data) {
        if (step.status === 'in_progress')
          this.store.steps.update({ ...step, status: 'cancelled', cancelled_at: now });
      }
    });
    return cancelled;
  }

  /** A cancel finishes the run synchronously, so every run is terminal when this resolves. */
  async cancelActiveRuns(threadId: string, _signal?: AbortSignal): Promise<void> {
    for (const runId of this.store.activeRunIds(threadId)) {
      const run = this.store.runs.get(runId);
      if (!run || expireIfDue(this.store, run).status === 'expired') continue;
      this.cancelRun(threadId, runId);
    }
  }

  startToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    subscribe: boolean,
  ): { run: Run; events: AsyncIterable<AssistantStreamEvent> | null; task: RunTask } {
    const run = this.getRun(threadId, runId);
    if (run.status !== 'requires_action' || this.tasks.has(runId)) {
      throw new AppError('bad_request', 400, `Runs in status "${run.status}" do not accept tool outputs.`);
    }
    const expected = run.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id) ?? [];
    const given = new Set(toolOutputs.map((output) => output.tool_call_id));
    const missing = expected.filter((id) => !given.has(id));
    const unknown = [...given].filter((id) => !expected.includes(id));
    if (missing.length > 0 || unknown.length > 0) {
      throw new AppError(
        'bad_request',
        400,
        `Expected tool outputs for call_ids ${JSON.stringify(expected)}, got ${JSON.stringify([...given])}`,
      );
    }
    const toolStep = this.store.steps
      .list(runId, { limit: 100, order: 'desc' })
      .data.find((step) => step.type === 'tool_calls' && step.status === 'in_progress');
    if (!toolStep) throw new AppError('bad_request', 400, `Run ${runId} has no pending tool calls.`);
    const task = new RunTask(this.taskDeps(), run);
    const events = subscribe ? task.hub.subscribe() : null;
    task.resume(toolStep, toolOutputs);
    this.track(task);
    return { run: task.run, events, task };
  }

  submitToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent> {
    return this.follow(() => this.startToolOutputs(threadId, runId, toolOutputs, true), signal);
  }

  /** Resolves when the run's current turn has finished (terminal or requires_action). */
  async settle(runId: string): Promise<void> {
    await this.tasks.get(runId)?.done;
  }

  // --- the rest of the Engine contract ---
  async listModels(): Promise<ModelInfo[]> {
    const models: ModelInfo[] = [
      {
        id: extractiveModelId,
        ownedBy: 'threadline',
        description: 'Model-free extractive answers: the most relevant retrieved sentences, each cited.',
      },
    ];
    if (this.options.config.LLM_BASE_URL) {
      models.push({
        id: this.options.config.LLM_MODEL,
        ownedBy: 'llm-endpoint',
        description: `Grounded answers streamed from ${new URL(this.options.config.LLM_BASE_URL).host}.`,
      });
    }
    return models;
  }
  async health(): Promise<{ reachable: boolean; detail?: string }> {
    this.store.threads.get('health-check');
    return { reachable: true, detail: `${this.tasks.size} active run(s)` };
  }
  async close(): Promise<void> {
    const tasks = [...this.tasks.values()];
    for (const task of tasks) task.requestCancel();
    // Cancelled runs are already final; give their work a moment to unwind, never forever.
    await Promise.race([Promise.all(tasks.map((task) => task.done)), delay(closeGraceMs)]);
    await this.options.knowledge.close();
    if (this.options.ownsDatabase) this.options.database.close();
  }

  // --- internals ---
  private async *follow(
    start: () => { events: AsyncIterable<AssistantStreamEvent> | null; task: RunTask },
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent> {
    const { events, task } = start();
    const onAbort = () => task.requestCancel();
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    try {
      if (events) yield* events;
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  /** Call after start/resume: `done` is only the turn's promise from then on. */
  private track(task: RunTask): void {
    this.tasks.set(task.run.id, task);
    void task.done.finally(() => {
      if (this.tasks.get(task.run.id) === task) this.tasks.delete(task.run.id);
    });
  }

  private taskDeps() {
    return {
      store: this.store,
      answererFor: (model: string): Answerer =>
        this.llmAnswerer && model !== extractiveModelId ? this.llmAnswerer : extractiveAnswerer,
      search: (vectorStoreIds: string[], query: string, plan: RunPlan) =>
        this.search(vectorStoreIds, query, plan),
    };
  }

  private async search(vectorStoreIds: string[], query: string, plan: RunPlan): Promise<SearchHit[]> {
    const existing = await Promise.all(vectorStoreIds.map((id) => this.vectorStores.get(id)));
    const ids = existing.flatMap((store) => (store ? [store.id] : []));
    if (ids.length === 0) return [];
    return this.vectorStores.search(ids, {
      query: query.slice(0, 4096),
      maxNumResults: plan.maxNumResults,
      ...(plan.scoreThreshold !== undefined ? { scoreThreshold: plan.scoreThreshold } : {}),
    });
  }

  async assertVectorStores(vectorStoreIds: string[]): Promise<void> {
    for (const id of vectorStoreIds) {
      if (!(await this.vectorStores.get(id))) throw notFound('vector store', id);
    }
  }

  private requireThread(threadId: string): Thread {
    return this.store.threads.get(threadId) ?? throwError(notFound('thread', threadId));
  }

  private activeRun(threadId: string): Run | null {
    for (const runId of this.store.activeRunIds(threadId)) {
      const run = this.tasks.get(runId)?.run ?? this.store.runs.get(runId);
      if (run && expireIfDue(this.store, run).status !== 'expired') return run;
    }
    return null;
  }
}

function throwError(error: Error): never {
  throw error;
}
