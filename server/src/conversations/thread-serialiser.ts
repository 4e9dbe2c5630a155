import { soloThreadLocks, type ThreadLocks } from '../run-logs/index.js';
/** Why a turn's signal aborted: someone asked the thread's run to stop (Stop). */
export class RunStoppedError extends Error {
  override readonly name = 'RunStoppedError';
  constructor() {
    super('the run was stopped');
  }
}

/** Why a turn's signal aborted: a newer send to the same thread took over. */
export class SupersededError extends Error {
  override readonly name = 'SupersededError';
  constructor() {
    super('a newer message was sent to this thread');
  }
}

type Turn = {
  controller: AbortController;
  finished: Promise<void>;
  finish: () => void;
  /** Its place in the thread's order across instances, once it has one. */
  token?: number;
};

/** A send's exclusive hold on a thread; `signal` aborts when a newer send arrives. */
export type ThreadTurn = { signal: AbortSignal; release: () => void };

/**
 * Serialises sends per thread. A new send aborts every earlier turn on the thread (their
 * streams end with the engine's cancellation events), waits until they have all released,
 * asks the engine to settle any run still active (started elsewhere, e.g. through /v1), and
 * only then hands over the thread. Different threads never wait on each other.
 */
export class ThreadSerialiser {
  private readonly turns = new Map<string, Turn[]>();

  constructor(
    private readonly cancelActiveRuns: (threadId: string) => Promise<void>,
    private readonly locks: ThreadLocks = soloThreadLocks,
  ) {
    locks.listen({
      stop: (threadId) => void this.stop(threadId),
      supersede: (threadId, token) => {
        for (const turn of this.turns.get(threadId) ?? [])
          if (turn.token !== undefined && turn.token < token) turn.controller.abort(new SupersededError());
      },
    });
  }

  /** Threads with a send in flight (for health and tests). */
  get activeThreadCount(): number {
    return this.turns.size;
  }

  /**
   * `settleActiveRuns: false` is for continuing a run (tool outputs), which still waits its turn but
   * must not cancel the run it is about to continue, and for a thread the caller has just created,
   * which has no run to settle. `controller`: the stream's own, aborted with
   * a SupersededError when a newer send arrives (one signal per stream instead of a combination).
   */
  async acquire(
    threadId: string,
    options: { settleActiveRuns?: boolean; controller?: AbortController } = {},
  ): Promise<ThreadTurn> {
    const earlier = this.turns.get(threadId) ?? [];
    for (const turn of earlier) turn.controller.abort(new SupersededError());
    let finish = () => {};
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const turn: Turn = { controller: options.controller ?? new AbortController(), finished, finish };
    this.turns.set(threadId, [...earlier, turn]);
    let releaseHold = () => {};
    const release = () => {
      releaseHold();
      this.release(threadId, turn);
    };
    try {
      await Promise.all(earlier.map((previous) => previous.finished));
      // Then the thread across instances: a newer send elsewhere supersedes this one, as here.
      releaseHold = await this.locks.hold(threadId, {
        onToken: (token) => (turn.token = token),
        onLost: () => turn.controller.abort(new SupersededError()),
      });
      if (options.settleActiveRuns !== false) await this.cancelActiveRuns(threadId);
    } catch (error) {
      release();
      throw error;
    }
    return { signal: turn.controller.signal, release };
  }

  /**
   * Stops every turn on the thread (their runs end cancelled) and resolves once they have all
   * released; true when there was one. Waiting sends are stopped too: a Stop means "nothing more".
   */
  async stop(threadId: string): Promise<boolean> {
    const turns = this.turns.get(threadId) ?? [];
    for (const turn of turns) turn.controller.abort(new RunStoppedError());
    await Promise.all(turns.map((turn) => turn.finished));
    return turns.length > 0;
  }

  private release(threadId: string, turn: Turn): void {
    turn.finish();
    const remaining = (this.turns.get(threadId) ?? []).filter((candidate) => candidate !== turn);
    if (remaining.length === 0) this.turns.delete(threadId);
    else this.turns.set(threadId, remaining);
  }
}
