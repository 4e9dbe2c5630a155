import type { AssistantStreamEvent, Message, MessageDelta, Run, RunStep } from '@threadline/shared';
import { inProgressRunStep, terminalRunStatuses } from '@threadline/shared';
import type { EngineStore } from '../store/engine-store.js';
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

  constructor(
    readonly store: EngineStore,
    public run: Run,
  ) {}

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
    this.reader?.close();
  }

  isTerminal(): boolean {
    return terminalRunStatuses.includes(this.run.status);
  }

  saveRun(changes: Partial<Run>, event: RunEventName): void {
    this.run = { ...this.run, ...changes };
    this.store.runs.update(this.run);
    this.publish(event, this.run);
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
    this.store.steps.insert(step, this.run.id);
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
    this.store.steps.update(finished);
    this.openSteps = this.openSteps.filter((open) => open.id !== step.id);
    const event: StepEventName = `thread.run.step.${status}`;
    this.publish(event, finished);
  }

  finishOpenSteps(status: Exclude<StepOutcome, 'completed'>, lastError?: Run['last_error']): void {
    for (const step of [...this.openSteps]) this.finishStep(step, status, lastError);
  }

  /** Streams tool calls' arguments or results into an open step, after its `created` event. */
  publishToolCallDeltas(stepId: string, toolCalls: ToolCallDelta[]): void {
    this.reader?.push({
      event: 'thread.run.step.delta',
      data: {
        id: stepId,
        object: 'thread.run.step.delta',
        delta: { step_details: { type: 'tool_calls', tool_calls: toolCalls } },
      },
    });
  }

  publishDelta(messageId: string, content: MessageDelta['delta']['content']): void {
    this.reader?.push({
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
    this.reader?.push({ event, data: shown } as AssistantStreamEvent);
  }
}
