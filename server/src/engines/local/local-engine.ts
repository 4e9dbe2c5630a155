import type {
  Assistant,
  AssistantStreamEvent,
  Message,
  ModelInfo,
  Run,
  RunStep,
  Thread,
} from '@threadline/shared';
import type { Config } from '../../config.js';
import type { SqliteDatabase } from '../../sqlite/index.js';
import type { Engine, FileApi, ToolOutput, VectorStoreApi } from '../engine.js';
import type { EngineState, SharedEngineState } from './store/engine-state.js';
import { SqliteEngineState } from './store/sqlite-engine-state.js';
import type { PassageSimilarity } from './answer/answer-evidence.js';
import { conversationQuestion } from './answer/conversation-question.js';
import type { AnswerLogger } from './answer/llm-answerer.js';
import type { TermStatistics } from './knowledge/search/term-statistics.js';
import type { IngestionCounts } from './knowledge/engine-knowledge.js';
import { searchExistingStores } from './runs/file-search-step.js';
import { followRun } from './runs/follow-run.js';
import type { Page, PageQuery } from './store/json-table.js';
import {
  defaultAssistantId,
  LocalAssistants,
  type AssistantChanges,
  type NewAssistantInput,
} from './threads/local-assistants.js';
import { createAnswererFor, defaultModelOf, localModelsOf } from './local-models.js';
import { LocalRuns, type StartedRunTurn } from './runs/local-runs.js';
import {
  LocalThreads,
  type NewMessageInput,
  type NewThreadInput,
  type ThreadChanges,
} from './threads/local-threads.js';
import { missingObject } from './store/not-found.js';
import type { LocalRunOptions } from './runs/run-plan.js';
import { recoverInterruptedRuns } from './runs/run-recovery.js';
import type { RunTaskDeps } from './runs/run-task.js';
import { warmUpTokenCounting } from './runs/estimate-usage.js';

export type KnowledgeLike = {
  vectorStores: VectorStoreApi;
  files: FileApi;
  /** Term rarity over the indexed chunks; answers weigh evidence with it. */
  termStatistics?: TermStatistics;
  /** Question-to-passage similarity under the sentence-embedding model, when one runs. */
  passageSimilarity?: PassageSimilarity;
  /** Resolves once the store's attachments are searchable (a run waits for its thread's). */
  waitForAttachments?: (vectorStoreId: string) => Promise<void>;
  /** Ingestion jobs this instance took from a shared queue (PostgreSQL), for /health. */
  ingestionCounts?: () => IngestionCounts;
  close(): Promise<void> | void;
};

export type LocalEngineConfig = Pick<
  Config,
  'LLM_BASE_URL' | 'LLM_API_KEY' | 'LLM_MODEL' | 'RETRIEVAL_MAX_RESULTS' | 'RETRIEVAL_SCORE_THRESHOLD'
> &
  Partial<Pick<Config, 'LLM_CONTEXT_TOKENS'>>;

const closeGraceMs = 2000;

/**
 * The embedded engine: Assistants semantics over its state (the embedded SQLite file, or a
 * shared PostgreSQL database: `SharedEngineState`) and the local knowledge base.
 * The Engine contract and the /v1 routes both call this one object; the work is in LocalThreads
 * (threads, messages) and LocalRuns (runs, steps, the tasks executing them).
 */
export class LocalEngine<Knowledge extends KnowledgeLike = KnowledgeLike> implements Engine {
  readonly name = 'local' as const;
  readonly identity: string;
  readonly store: EngineState;
  /** Interrupted runs ended and the built-in assistant there: every run and assistant call waits for it. */
  readonly ready: Promise<void>;
  private readonly assistants: LocalAssistants;
  private readonly threads: LocalThreads;
  private readonly runs: LocalRuns;

  constructor(
    private readonly options: {
      database: SqliteDatabase;
      knowledge: Knowledge;
      config: LocalEngineConfig;
      /** Whether close() closes the database (true when the engine opened it). */
      ownsDatabase?: boolean;
      /** Where answer-model events go (the window learned, a prompt fitted, a named failure). */
      logger?: AnswerLogger | undefined;
      /** Where threads, messages, runs, steps and assistants live when not in `database`. */
      sharedState?: SharedEngineState | undefined;
    },
  ) {
    if (options.sharedState) {
      this.store = options.sharedState.state;
      this.identity = `local:${options.sharedState.identity}`;
    } else {
      const embedded = new SqliteEngineState(options.database);
      this.store = embedded;
      this.identity = `local:${embedded.store.identity()}`;
    }
    const { config } = options;
    const taskDeps: RunTaskDeps = {
      store: this.store,
      answererFor: createAnswererFor(
        config,
        {
          termStatistics: options.knowledge.termStatistics,
          similarity: options.knowledge.passageSimilarity,
        },
        options.logger,
      ),
      search: (vectorStoreIds, query, plan, emphasis, topicFileIds) =>
        searchExistingStores(this.vectorStores, vectorStoreIds, query, plan, emphasis, topicFileIds),
      untilSearchable: async (vectorStoreIds) => {
        for (const vectorStoreId of vectorStoreIds)
          await options.knowledge.waitForAttachments?.(vectorStoreId);
      },
    };
    this.runs = new LocalRuns(this.store, taskDeps, config, (error) =>
      options.logger?.warn(
        { err: error },
        'run leases: renewing, ending lapsed runs or taking cancels failed',
      ),
    );
    this.threads = new LocalThreads(this.store, this.runs.registry, (ids) => this.assertVectorStores(ids));
    this.assistants = new LocalAssistants(this.store);
    // With a shared database another instance may be running the runs this finds active; those
    // are ended by whoever holds their thread's lock (run-logs), so only the embedded file,
    // which no other process runs, is recovered here.
    const recovered = options.sharedState ? Promise.resolve(0) : recoverInterruptedRuns(this.store);
    this.ready = recovered.then(() => this.assistants.ensureDefault(this.defaultModel));
    this.ready.catch(() => {}); // awaited by every call that needs it; the failure surfaces there
    // Off the constructor's turn: the first answer turn need not pay the token counter's first call.
    setImmediate(warmUpTokenCounting);
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
    return defaultModelOf(this.options.config);
  }
  /** The database file the engine keeps its state in (features beside it keep theirs there too). */
  get database(): SqliteDatabase {
    return this.options.database;
  }
  /** What a run started now on the thread would search for: its question, with what it follows up. */
  async searchQueryOf(threadId: string): Promise<string> {
    return conversationQuestion(await this.store.allMessages(threadId)).searchQuery;
  }

  // --- assistants ---
  async createAssistant(input: NewAssistantInput, owner?: string): Promise<Assistant> {
    return this.assistants.create(input, owner);
  }
  /** Who made the thread through /v1 (null: made by the orchestrator; undefined: no such thread). */
  threadOwner(threadId: string): Promise<string | null | undefined> {
    return this.store.threads.ownerOf(threadId);
  }

  /** Who made the assistant (null: the built-in one; undefined: no such assistant). */
  async assistantOwner(assistantId: string): Promise<string | null | undefined> {
    await this.ready;
    return this.store.assistants.ownerOf(assistantId);
  }

  async getAssistant(assistantId: string): Promise<Assistant> {
    await this.ready;
    return this.assistants.get(assistantId);
  }
  /** The assistant, or `null` when there is none with that id. */
  async findAssistant(assistantId: string): Promise<Assistant | null> {
    await this.ready;
    return this.store.assistants.get(assistantId);
  }
  async listAssistants(query: PageQuery, visibleTo?: string): Promise<Page<Assistant>> {
    await this.ready;
    return this.assistants.list(query, visibleTo);
  }
  async updateAssistant(assistantId: string, changes: AssistantChanges): Promise<Assistant> {
    await this.ready;
    return this.assistants.update(assistantId, changes);
  }
  async deleteAssistant(assistantId: string): Promise<boolean> {
    await this.ready;
    return this.assistants.delete(assistantId);
  }

  // --- threads and messages ---
  async createThread(input: NewThreadInput): Promise<Thread> {
    return this.threads.create(input);
  }
  async getThread(threadId: string): Promise<Thread | null> {
    return this.store.threads.get(threadId);
  }
  async updateThread(threadId: string, changes: ThreadChanges): Promise<Thread> {
    return this.threads.update(threadId, changes);
  }
  async deleteThread(threadId: string): Promise<boolean> {
    if (!(await this.store.threads.get(threadId))) return false;
    await this.cancelActiveRuns(threadId);
    return this.store.threads.delete(threadId);
  }
  async appendMessage(threadId: string, input: NewMessageInput): Promise<Message> {
    await this.ready;
    return this.threads.appendMessage(threadId, input);
  }
  getMessage(threadId: string, messageId: string): Promise<Message> {
    return this.threads.getMessage(threadId, messageId);
  }
  updateMessage(
    threadId: string,
    messageId: string,
    metadata: Record<string, string> | null,
  ): Promise<Message> {
    return this.threads.updateMessage(threadId, messageId, metadata);
  }
  deleteMessage(threadId: string, messageId: string): Promise<void> {
    return this.threads.deleteMessage(threadId, messageId);
  }
  listMessagePage(
    threadId: string,
    query: PageQuery & { runId?: string | undefined },
  ): Promise<Page<Message>> {
    return this.threads.listMessages(threadId, query);
  }
  async listMessages(
    threadId: string,
    options: { limit?: number; order?: 'asc' | 'desc' } = {},
  ): Promise<Message[]> {
    const query = { limit: options.limit ?? 100, order: options.order ?? 'desc' } as const;
    return (await this.listMessagePage(threadId, query)).data;
  }

  // --- runs ---
  /** Creates a run and starts it; with `subscribe` the returned events are the run's whole stream. */
  async startRun(threadId: string, options: LocalRunOptions, subscribe: boolean): Promise<StartedRunTurn> {
    await this.ready;
    return this.runs.start(threadId, options.assistantId ?? defaultAssistantId, options, subscribe);
  }
  streamRun(
    threadId: string,
    options: LocalRunOptions,
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent> {
    return followRun(() => this.startRun(threadId, options, true), signal);
  }
  async getRun(threadId: string, runId: string): Promise<Run> {
    await this.ready;
    return this.runs.get(threadId, runId);
  }
  async updateRunMetadata(
    threadId: string,
    runId: string,
    metadata: Record<string, string> | null,
  ): Promise<Run> {
    await this.ready;
    return this.runs.updateMetadata(threadId, runId, metadata);
  }
  async listRuns(threadId: string, query: PageQuery): Promise<Page<Run>> {
    await this.ready;
    return this.runs.list(threadId, query);
  }
  async listSteps(
    threadId: string,
    runId: string,
    query: PageQuery,
    isContentShown = false,
  ): Promise<Page<RunStep>> {
    await this.ready;
    return this.runs.listSteps(threadId, runId, query, isContentShown);
  }
  async getStep(threadId: string, runId: string, stepId: string, isContentShown = false): Promise<RunStep> {
    await this.ready;
    return this.runs.getStep(threadId, runId, stepId, isContentShown);
  }
  /** Asks a run to stop; answers at once with the run as it is (`cancelling` while work stops). */
  async cancelRun(threadId: string, runId: string): Promise<Run> {
    await this.ready;
    return this.runs.cancel(threadId, runId);
  }
  /** Every active run of the thread is terminal, and stored so, when this resolves. */
  async cancelActiveRuns(threadId: string, _signal?: AbortSignal): Promise<void> {
    await this.ready;
    await this.runs.cancelActive(threadId);
  }
  async startToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    subscribe: boolean,
  ): Promise<StartedRunTurn> {
    await this.ready;
    return this.runs.startToolOutputs(threadId, runId, toolOutputs, subscribe);
  }
  submitToolOutputs(
    threadId: string,
    runId: string,
    toolOutputs: ToolOutput[],
    signal: AbortSignal,
  ): AsyncIterable<AssistantStreamEvent> {
    return followRun(() => this.startToolOutputs(threadId, runId, toolOutputs, true), signal);
  }
  /** Resolves when the run's current turn has finished (terminal or requires_action). */
  async settle(runId: string): Promise<void> {
    await this.runs.registry.get(runId)?.done;
  }

  // --- the rest of the Engine contract ---
  async listModels(): Promise<ModelInfo[]> {
    return localModelsOf(this.options.config);
  }
  async health(): Promise<{ reachable: boolean; detail?: string }> {
    await this.store.threads.get('health-check');
    const jobsTaken = this.options.knowledge.ingestionCounts?.().jobsTaken;
    const ingestion = jobsTaken === undefined ? '' : `, ${jobsTaken} ingestion job(s) taken`;
    return { reachable: true, detail: `${this.runs.registry.size} active run(s)${ingestion}` };
  }
  async close(): Promise<void> {
    await this.runs.registry.cancelAll(closeGraceMs);
    await this.options.knowledge.close();
    await this.options.sharedState?.close();
    if (this.options.ownsDatabase) this.options.database.close();
  }

  async assertVectorStores(vectorStoreIds: string[]): Promise<void> {
    for (const id of vectorStoreIds) {
      if (!(await this.vectorStores.get(id))) throw missingObject('vector store', id);
    }
  }
}
