import type { AssistantStreamEvent, Message, Run, RunStep } from '@threadline/shared';
import { APIError } from 'openai';
import type { ToolOutput } from '../../engine.js';
import type { Answerer } from '../answer/answer-piece.js';
import { ModelServerError } from '../answer/model-server-errors.js';
import { conversationQuestion } from '../answer/conversation-question.js';
import { AnswerMessage } from '../answer/answer-message.js';
import { answerTurn } from '../answer/answer-turn.js';
import type { StoredRunContext } from '../store/engine-store.js';
import type { EngineState } from '../store/engine-state.js';
import type { EventChannel } from './event-channel.js';
import { fileSearchStep, type SearchKnowledge } from './file-search-step.js';
import { nowSeconds } from '../store/ids.js';
import type { RunPlan } from './run-plan.js';
import { RunPublisher } from './run-publisher.js';
import { completedToolStep, toolRoundOf } from './tool-round.js';

export type RunTaskDeps = {
  store: EngineState;
  answererFor: (model: string) => Answerer;
  search: SearchKnowledge;
  /**
   * Resolves once the files attached to messages of the thread (in the given stores, its own)
   * are searchable: they are indexed while the run waits `in_progress`, as OpenAI's are. Other
   * files being loaded into those stores are not waited for.
   */
  untilSearchable?: (vectorStoreIds: string[]) => Promise<void>;
};

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Executes one run (or one turn of it, after tool outputs) in the background, persisting every
 * state change and publishing the Assistants events in OpenAI's order. A cancel aborts the
 * work at its next await and finishes with the partial message kept as `incomplete`.
 */
export class RunTask {
  done: Promise<void> = Promise.resolve();
  private readonly controller = new AbortController();
  private readonly publisher: RunPublisher;
  private isCancelRequested = false;
  private answer: AnswerMessage | null = null;

  constructor(
    private readonly deps: RunTaskDeps,
    run: Run,
  ) {
    this.publisher = new RunPublisher(deps.store, run);
  }

  /** The run's events as they are published (the engine stream of whoever started it). */
  subscribe(): EventChannel<AssistantStreamEvent> {
    return this.publisher.subscribe();
  }

  get run(): Run {
    return this.publisher.run;
  }
  set run(run: Run) {
    this.publisher.run = run;
  }

  start(plan: RunPlan): void {
    this.publisher.isResultContentShown = plan.includeResultContent;
    this.done = this.execute(() => this.firstTurn(plan));
  }

  resume(toolStep: RunStep, outputs: ToolOutput[]): void {
    this.done = this.execute(() => this.continueTurn(toolStep, outputs));
  }

  /**
   * Finishes the run as cancelled at once (in memory and on its way to the store); resolves
   * when the store has it, so a caller that waits may add a message to the thread next.
   */
  requestCancel(): Promise<void> {
    if (this.isCancelRequested || this.publisher.isTerminal()) return this.publisher.drained();
    this.isCancelRequested = true;
    this.controller.abort();
    // Finish now rather than when the work unwinds (an upstream stream may take a while to
    // notice the abort): every later step checks the signal and publishes nothing more.
    // One commit where the store allows: a single WAL commit instead of one per row.
    this.publisher.groupWrites(() => {
      this.publisher.saveRun({ status: 'cancelling' }, 'thread.run.cancelling');
      this.finishCancelled();
    });
    this.publisher.closeEvents();
    return this.publisher.drained();
  }

  private async execute(turn: () => Promise<void>): Promise<void> {
    try {
      await turn();
      if (this.controller.signal.aborted) this.finishCancelled();
    } catch (error) {
      if (this.isCancelRequested) this.finishCancelled();
      else this.finishFailed(error);
    } finally {
      this.publisher.closeEvents();
    }
    // The turn is over when what it changed is stored (a write that failed is logged by no one
    // here: the run's stored state is then behind its events, which the reader has seen).
    await this.publisher.drained().catch(() => {});
  }

  private async firstTurn(plan: RunPlan): Promise<void> {
    this.publisher.publish('thread.run.created', this.run);
    this.publisher.publish('thread.run.queued', this.run);
    await tick();
    if (this.controller.signal.aborted) return;
    this.publisher.saveRun({ status: 'in_progress', started_at: nowSeconds() }, 'thread.run.in_progress');
    const { store } = this.deps;
    if (plan.isFileSearchOn && this.deps.untilSearchable) {
      const threadStores = (await store.threads.get(this.run.thread_id))?.tool_resources?.file_search
        ?.vector_store_ids;
      if (threadStores && threadStores.length > 0) {
        const aborted = new Promise<void>((resolve) =>
          this.controller.signal.addEventListener('abort', () => resolve(), { once: true }),
        );
        await Promise.race([this.deps.untilSearchable(threadStores), aborted]);
        if (this.controller.signal.aborted) return;
      }
    }
    const conversation = await store.allMessages(this.run.thread_id);
    // A follow-up ("how do I delete it?") is searched together with the question it continues.
    const { searchQuery: query, emphasis, topicFileIds } = conversationQuestion(conversation);
    const hits = plan.isFileSearchOn
      ? await fileSearchStep({
          publisher: this.publisher,
          plan,
          query,
          emphasis,
          topicFileIds,
          search: this.deps.search,
          signal: this.controller.signal,
        })
      : [];
    if (hits === null) return;
    const context: StoredRunContext = { query, hits, messageIndex: conversation.length, toolRounds: [] };
    await store.setRunContext(this.run.id, context);
    await this.answerTurn(context, conversation, plan.vectorStoreIds.length > 0);
  }

  private async continueTurn(toolStep: RunStep, outputs: ToolOutput[]): Promise<void> {
    const { store } = this.deps;
    const context = (await store.runContext(this.run.id)) ?? {
      query: '',
      hits: [],
      messageIndex: 0,
      toolRounds: [],
    };
    const calls = this.run.required_action?.submit_tool_outputs.tool_calls ?? [];
    this.publisher.adoptStep(toolStep);
    this.publisher.finishStep(completedToolStep(toolStep, calls, outputs), 'completed');
    this.publisher.saveRun({ status: 'queued', required_action: null }, 'thread.run.queued');
    await tick();
    if (this.controller.signal.aborted) return;
    this.publisher.saveRun({ status: 'in_progress' }, 'thread.run.in_progress');
    context.toolRounds.push(toolRoundOf(calls, outputs));
    await store.setRunContext(this.run.id, context);
    await this.answerTurn(context, await store.allMessages(this.run.thread_id), true);
  }

  private async answerTurn(
    context: StoredRunContext,
    conversation: Message[],
    hasStores: boolean,
  ): Promise<void> {
    this.answer = new AnswerMessage(this.publisher, context);
    await answerTurn({
      publisher: this.publisher,
      message: this.answer,
      answerer: this.deps.answererFor(this.run.model),
      context,
      conversation,
      hasStores,
      signal: this.controller.signal,
    });
  }

  private finishCancelled(): void {
    if (this.publisher.isTerminal()) return;
    this.answer?.finish('incomplete', 'run_cancelled');
    this.publisher.finishOpenSteps('cancelled');
    this.publisher.saveRun(
      { status: 'cancelled', cancelled_at: nowSeconds(), required_action: null },
      'thread.run.cancelled',
    );
  }

  private finishFailed(error: unknown): void {
    if (this.publisher.isTerminal()) return;
    const lastError = toLastError(error);
    this.answer?.finish('incomplete', 'run_failed');
    this.publisher.finishOpenSteps('failed', lastError);
    this.publisher.saveRun(
      { status: 'failed', failed_at: nowSeconds(), last_error: lastError },
      'thread.run.failed',
    );
  }
}

function toLastError(error: unknown): NonNullable<Run['last_error']> {
  // Written to be shown: what failed at the model server and what to do about it.
  if (error instanceof ModelServerError) return { code: error.code, message: error.message };
  if (error instanceof APIError && error.status === 429) {
    return { code: 'rate_limit_exceeded', message: 'The model provider is rate limiting requests.' };
  }
  return { code: 'server_error', message: 'Sorry, something went wrong while running this request.' };
}
