import type { AssistantStreamEvent, Message, MessageDelta, Run, RunStep } from '@threadline/shared';
import { inProgressRunStep, terminalRunStatuses } from '@threadline/shared';
import type { EngineState } from '../store/engine-state.js';
import { EventChannel } from './event-channel.js';
import { newId, nowSeconds } from '../store/ids.js';
import { withoutResultContent } from './run-objects.js';
import type { ToolCallDelta } from './tool-call-deltas.js';

type RunEventName = Extract<AssistantStreamEvent, { data: Run }>['event'];
type StepEventName = Extract<AssistantStreamEvent, { data: RunStep }>['event'];
type MessageEventName = Extract<AssistantStreamEvent, { data: Message }>['event'];
type StepOutcome = 'completed' | 'cancelled' | 'failed';

/**
 * A run's state changes as the store and its subscribers see them: every change is persisted
 * before its event is published, so a client that reads after an event finds that state.
 * Where writes are asynchronous (PostgreSQL) each write and the events after it wait their turn
 * in one chain, so the store and the stream see the run's changes in the order they were made;
 * SQLite writes are done when called, so there nothing waits.
 */
export class RunPublisher {
  /**
   * The run's one reader: the engine stream of whoever started it. Fanning out to every reader
   * is the run log's job (run-logs), done once, not here.
   */
  private reader: EventChannel<AssistantStreamEvent> | null = null;
  /** Stream subscribers see file contents only when the run was started asking for them. */
  isResultContentShown = false;
  private openSteps: RunStep[] = [];
  /** The chain of writes and publications still to happen (asynchronous stores only). */
  private pending: Promise<void> = Promise.resolve();
  /** The first write that failed: the run cannot be trusted to be stored after it. */
  private failedWrite: Error | null = null;

  constructor(
    readonly store: EngineState,
    public run: Run,
  ) {}

  /** Resolves once every change so far is stored and published; throws a failed write. */
  async drained(): Promise<void> {
    await this.pending;
    if (this.failedWrite !== null) throw this.failedWrite;
  }

  /** Several changes in one commit where the store can (see EngineState.groupWrites). */
  groupWrites(work: () => void): void {
    this.store.groupWrites(work);
  }

  /** `write`, then `after` (the event it announces), in call order whatever the store. */
  private persist(write: (() => Promise<void>) | null, after: () => void = () => {}): void {
    const record = (error: unknown) => {
      this.failedWrite ??= error instanceof Error ? error : new Error(String(error));
    };
    if (this.store.writesInCallOrder) {
      write?.().catch(record);
      after();
      return;
    }
    this.pending = this.pending.then(async () => {
      if (write) await write().catch(record);
      after();
    });
  }

  insertMessage(message: Message): void {
    const threadId = this.run.thread_id;
    this.persist(() => this.store.messages.insert(message, threadId));
  }

  updateMessage(message: Message): void {
    this.persist(() => this.store.messages.update(message));
  }

  /** The run's events from now on, until closeEvents(). A run has at most one reader. */
  subscribe(): EventChannel<AssistantStreamEvent> {
    if (this.reader) throw new Error('a run has one reader');
    const reader = new EventChannel<AssistantStreamEvent>(() => {
      if (this.reader === reader) this.reader = null;
    });
    this.reader = reader;
    return reader;
  }

  /** Ends the reader's stream once it has read what was published. */
  closeEvents(): void {
    this.persist(null, () => this.reader?.close());
  }

  isTerminal(): boolean {
    return terminalRunStatuses.includes(this.run.status);
  }

  saveRun(changes: Partial<Run>, event: RunEventName): void {
    const run = { ...this.run, ...changes };
    this.run = run;
    this.persist(() => this.store.runs.update(run));
    this.publish(event, run);
  }

  /**
   * Stores the step with `details` and announces it with `announced`: tool calls are announced
   * empty and filled by `thread.run.step.delta`s, while reads of the step see it whole.
   */
  createStep(details: RunStep['step_details'], announced = details): RunStep {
    const step = inProgressRunStep({
      id: newId('step'),
      createdAt: nowSeconds(),
      assistantId: this.run.assistant_id,
      threadId: this.run.thread_id,
      runId: this.run.id,
      details,
    });
    this.persist(() => this.store.steps.insert(step, step.run_id));
    this.openSteps.push(step);
    const shown = { ...step, step_details: announced };
    this.publish('thread.run.step.created', shown);
    this.publish('thread.run.step.in_progress', shown);
    return step;
  }

  /** A step an earlier turn created (the tool calls waiting for outputs), finished by this one. */
  adoptStep(step: RunStep): void {
    this.openSteps.push(step);
  }

  openStep(type: RunStep['type']): RunStep | undefined {
    return this.openSteps.find((open) => open.type === type);
  }

  finishStep(step: RunStep, status: StepOutcome, lastError?: Run['last_error']): void {
    const now = nowSeconds();
    const finished: RunStep = {
      ...step,
      status,
      completed_at: status === 'completed' ? now : null,
      cancelled_at: status === 'cancelled' ? now : null,
      failed_at: status === 'failed' ? now : null,
      last_error: lastError ?? null,
    };
    this.persist(() => this.store.steps.update(finished));
    this.openSteps = this.openSteps.filter((open) => open.id !== step.id);
    const event: StepEventName = `thread.run.step.${status}`;
    this.publish(event, finished);
  }

  finishOpenSteps(status: Exclude<StepOutcome, 'completed'>, lastError?: Run['last_error']): void {
    for (const step of [...this.openSteps]) this.finishStep(step, status, lastError);
  }

  /** Streams tool calls' arguments or results into an open step, after its `created` event. */
  publishToolCallDeltas(stepId: string, toolCalls: ToolCallDelta[]): void {
    this.push({
      event: 'thread.run.step.delta',
      data: {
        id: stepId,
        object: 'thread.run.step.delta',
        delta: { step_details: { type: 'tool_calls', tool_calls: toolCalls } },
      },
    });
  }

  publishDelta(messageId: string, content: MessageDelta['delta']['content']): void {
    this.push({
      event: 'thread.message.delta',
      data: { id: messageId, object: 'thread.message.delta', delta: { content } },
    });
  }

  publish(event: RunEventName, data: Run): void;
  publish(event: StepEventName, data: RunStep): void;
  publish(event: MessageEventName, data: Message): void;
  publish(event: string, data: Run | RunStep | Message): void {
    const shown =
      data.object === 'thread.run.step' && !this.isResultContentShown ? withoutResultContent(data) : data;
    this.push({ event, data: shown } as AssistantStreamEvent);
  }

  private push(event: AssistantStreamEvent): void {
    this.persist(null, () => this.reader?.push(event));
  }
}
