import type { ResponseStreamEvent } from '@threadline/shared';
import type { EncodedResponseEvent, ResponseStore } from './response-store.js';

/**
 * A response's stream while its run goes on: events kept in order (and written to the store as
 * they come, so a reader who comes back after the run has ended replays them from there), read by
 * any number of readers, each from its own place. A reader is only a reader: leaving never stops
 * the run.
 */
export class LiveResponse {
  private readonly events: EncodedResponseEvent[] = [];
  private waiters: Array<() => void> = [];
  private isDone = false;
  private markEnded = () => {};
  readonly ended: Promise<void>;

  constructor(
    readonly responseId: string,
    private readonly store: ResponseStore,
  ) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
  }

  get isEnded(): boolean {
    return this.isDone;
  }

  append(events: ResponseStreamEvent[]): void {
    if (this.isDone || events.length === 0) return;
    this.store.appendEvents(this.responseId, events);
    for (const event of events)
      this.events.push({
        sequenceNumber: event.sequence_number,
        type: event.type,
        data: JSON.stringify(event),
      });
    this.wake();
  }

  end(): void {
    if (this.isDone) return;
    this.isDone = true;
    this.wake();
    this.markEnded();
  }

  /** The events after sequence number `after`, live until the run ends or `signal` aborts. */
  async *follow(after: number, signal: AbortSignal): AsyncIterable<EncodedResponseEvent> {
    let next = this.events.findIndex((event) => event.sequenceNumber > after);
    if (next < 0) next = this.events.length;
    while (!signal.aborted) {
      while (next < this.events.length) {
        const event = this.events[next];
        next += 1;
        if (event) yield event;
      }
      if (this.isDone) return;
      await new Promise<void>((resolve) => {
        const onAbort = () => resolve();
        signal.addEventListener('abort', onAbort, { once: true });
        this.waiters.push(() => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
