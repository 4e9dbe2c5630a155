import {
  isRunEvent,
  terminalRunStatuses,
  type AssistantStreamEvent,
  type Message,
  type Run,
  type RunStep,
} from '@threadline/shared';

type RunEventName = Extract<AssistantStreamEvent, { data: Run }>['event'];

const runEventFor: Record<Run['status'], RunEventName> = {
  queued: 'thread.run.queued',
  in_progress: 'thread.run.in_progress',
  requires_action: 'thread.run.requires_action',
  cancelling: 'thread.run.cancelling',
  cancelled: 'thread.run.cancelled',
  failed: 'thread.run.failed',
  completed: 'thread.run.completed',
  incomplete: 'thread.run.incomplete',
  expired: 'thread.run.expired',
};

/** `requires_action` ends a stream too: the run waits for tool outputs on a new request. */
export const endsStream = (status: Run['status']) =>
  status === 'requires_action' || terminalRunStatuses.includes(status);

/**
 * Follows a relayed Assistants stream (the run, open messages and steps) so that, when the
 * stream is cut before the server said how the run ended, the relay can close what is open
 * in the same order OpenAI would: messages incomplete, steps closed, then the run's end.
 */
export class RelayTracker {
  run: Run | undefined;
  private readonly messages = new Map<string, Message>();
  private readonly steps = new Map<string, RunStep>();
  private hasEnded = false;

  get isEnded(): boolean {
    return this.hasEnded;
  }

  observe(event: AssistantStreamEvent): void {
    const name = event.event;
    if (name === 'thread.message.created' || name === 'thread.message.in_progress') {
      this.messages.set(event.data.id, event.data);
    } else if (name === 'thread.message.completed' || name === 'thread.message.incomplete') {
      this.messages.delete(event.data.id);
    } else if (name === 'thread.run.step.created' || name === 'thread.run.step.in_progress') {
      this.steps.set(event.data.id, event.data);
    } else if (
      name === 'thread.run.step.completed' ||
      name === 'thread.run.step.failed' ||
      name === 'thread.run.step.cancelled' ||
      name === 'thread.run.step.expired'
    ) {
      this.steps.delete(event.data.id);
    } else if (isRunEvent(event)) {
      this.run = event.data;
      if (endsStream(event.data.status)) this.hasEnded = true;
    }
  }

  /**
   * Events that end the relay after a cut. `finalRun` is the server's view when it could be
   * read; otherwise the run is reported as `outcome` from what was seen.
   */
  closing(outcome: 'cancelled' | 'failed', now: number, finalRun?: Run): AssistantStreamEvent[] {
    if (this.hasEnded) return [];
    const isCancelled = outcome === 'cancelled';
    const lastError = {
      code: 'server_error',
      message: 'The Assistants server stopped before the run ended.',
    };
    const events: AssistantStreamEvent[] = [];
    for (const message of this.messages.values()) {
      events.push({
        event: 'thread.message.incomplete',
        data: {
          ...message,
          status: 'incomplete',
          incomplete_at: now,
          incomplete_details: { reason: isCancelled ? 'run_cancelled' : 'run_failed' },
        },
      });
    }
    for (const step of this.steps.values()) {
      events.push(
        isCancelled
          ? { event: 'thread.run.step.cancelled', data: { ...step, status: 'cancelled', cancelled_at: now } }
          : {
              event: 'thread.run.step.failed',
              data: { ...step, status: 'failed', failed_at: now, last_error: lastError },
            },
      );
    }
    this.messages.clear();
    this.steps.clear();
    const base = finalRun ?? this.run;
    if (base) {
      const run: Run =
        finalRun && endsStream(finalRun.status)
          ? finalRun
          : isCancelled
            ? { ...base, status: 'cancelled', cancelled_at: now }
            : { ...base, status: 'failed', failed_at: now, last_error: lastError };
      events.push({ event: runEventFor[run.status], data: run });
    }
    this.hasEnded = true;
    return events;
  }
}
