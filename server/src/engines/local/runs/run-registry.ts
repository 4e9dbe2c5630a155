import { terminalRunStatuses, type Run } from '@threadline/shared';
import { withRowScope } from '../../../postgres/index.js';
import type { EngineState } from '../store/engine-state.js';
import { endOrphanedRuns, expireIfDue } from './run-recovery.js';
import type { RunTask } from './run-task.js';

const delay = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());

/**
 * How long a run stays this instance's without renewal where runs are leased (PostgreSQL): an
 * instance that stops is found out, and its runs ended by another, within this time.
 */
export const runLeaseMs = 30_000;
/** How often an instance looks for cancels other instances asked of the runs it executes. */
export const cancelPollMs = 500;

/** The runs this process is executing; a live task's run is newer than the stored row. */
export class RunRegistry {
  private readonly tasks = new Map<string, RunTask>();
  private readonly leaseTimer: NodeJS.Timeout | null = null;
  private readonly cancelTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly store: EngineState,
    private readonly onLeaseError: (error: unknown) => void = () => {},
  ) {
    if (!store.hasRunLeases) return;
    // Renew this instance's runs and end other instances' lapsed ones, a few times per lease.
    // The sweep acts for every user whose runs it renews or ends: the run-leases view of the rows.
    this.leaseTimer = setInterval(() => {
      void withRowScope({ worker: 'run-leases' }, () => this.keepLeases()).catch(this.onLeaseError);
    }, runLeaseMs / 3);
    this.leaseTimer.unref();
    this.cancelTimer = setInterval(() => {
      // The runs executing here act for many users: the run-leases view of the rows, as above.
      if (this.tasks.size > 0)
        void withRowScope({ worker: 'run-leases' }, () => this.takeCancelRequests()).catch(this.onLeaseError);
    }, cancelPollMs);
    this.cancelTimer.unref();
  }

  /** Cancels the runs executing here that another instance asked to stop. */
  async takeCancelRequests(): Promise<void> {
    for (const runId of await this.store.cancelRequested([...this.tasks.keys()]))
      await this.tasks.get(runId)?.requestCancel();
  }

  /** Renews the leases of the runs executing here, then ends runs whose instance stopped. */
  async keepLeases(): Promise<void> {
    await this.store.renewRunLeases([...this.tasks.keys()], runLeaseMs);
    await endOrphanedRuns(this.store, (runId) => this.tasks.has(runId));
  }

  get size(): number {
    return this.tasks.size;
  }

  get(runId: string): RunTask | undefined {
    return this.tasks.get(runId);
  }

  has(runId: string): boolean {
    return this.tasks.has(runId);
  }

  /** Call after start/resume: `done` is only the turn's promise from then on. */
  track(task: RunTask): void {
    this.tasks.set(task.run.id, task);
    void task.done.finally(() => {
      if (this.tasks.get(task.run.id) === task) this.tasks.delete(task.run.id);
    });
  }

  /** The thread's run that blocks a new run or message, if any (an overdue idle one has expired). */
  async activeRun(threadId: string): Promise<Run | null> {
    await endOrphanedRuns(this.store, (runId) => this.tasks.has(runId), threadId);
    for (const runId of await this.store.activeRunIds(threadId)) {
      const run = this.tasks.get(runId)?.run ?? (await this.store.runs.get(runId));
      // A live task's run may be finished while its row's write is still on the way (PostgreSQL).
      if (!run || terminalRunStatuses.includes(run.status)) continue;
      if ((await expireIfDue(this.store, run)).status !== 'expired') return run;
    }
    return null;
  }

  async cancelAll(graceMs: number): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    if (this.cancelTimer) clearInterval(this.cancelTimer);
    const tasks = [...this.tasks.values()];
    for (const task of tasks) void task.requestCancel();
    // Cancelled runs are already final; give their work a moment to unwind, never forever.
    await Promise.race([Promise.all(tasks.map((task) => task.done)), delay(graceMs)]);
  }
}
