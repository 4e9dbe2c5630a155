import { setTimeout as delay } from 'node:timers/promises';

export type ActiveRun = {
  readonly controller: AbortController;
  /** Extra upstream work after the abort (e.g. `responses.cancel` for a background response). */
  onCancel?: () => Promise<void>;
};

/**
 * The runs this process is streaming, per thread. A Responses run lives as long as its
 * streaming request, so cancelling one means aborting that request here.
 */
export class ActiveRuns {
  private readonly byThread = new Map<string, Set<ActiveRun>>();

  /** Registers a run whose request follows `signal`; call the returned function when it ends. */
  start(threadId: string, signal: AbortSignal): { run: ActiveRun; end: () => void } {
    const run: ActiveRun = { controller: new AbortController() };
    const forward = () => run.controller.abort();
    if (signal.aborted) forward();
    else signal.addEventListener('abort', forward, { once: true });
    let runs = this.byThread.get(threadId);
    if (!runs) {
      runs = new Set();
      this.byThread.set(threadId, runs);
    }
    runs.add(run);
    const end = () => {
      signal.removeEventListener('abort', forward);
      runs.delete(run);
      if (runs.size === 0 && this.byThread.get(threadId) === runs) this.byThread.delete(threadId);
    };
    return { run, end };
  }

  /** Aborts every run on the thread and waits (bounded) for their upstream cancellations. */
  async cancel(threadId: string, waitMs: number): Promise<void> {
    const runs = [...(this.byThread.get(threadId) ?? [])];
    for (const run of runs) run.controller.abort();
    const cancellations = runs.map((run) =>
      run.onCancel ? run.onCancel().catch(() => undefined) : undefined,
    );
    const pending = cancellations.filter((cancellation) => cancellation !== undefined);
    if (pending.length === 0) return;
    await Promise.race([Promise.all(pending), delay(waitMs, undefined, { ref: false })]);
  }

  cancelAll(): void {
    for (const runs of this.byThread.values()) for (const run of runs) run.controller.abort();
  }

  count(threadId: string): number {
    return this.byThread.get(threadId)?.size ?? 0;
  }
}
