/** Why a stream's run was cancelled: the server is shutting down and the grace period ran out. */
export class ShuttingDownError extends Error {
  override readonly name = 'ShuttingDownError';
  constructor() {
    super('the server is shutting down');
  }
}

const delay = (milliseconds: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, milliseconds).unref());

/**
 * Tracks the streams in flight so a shutdown lets them finish within a grace period, then
 * cancels the rest through `signal` (their runs end cancelled and their partial answers are
 * recorded) instead of cutting them off mid-write.
 */
export class StreamDrain {
  private readonly controller = new AbortController();
  private readonly inFlight = new Map<Promise<unknown>, AbortController | undefined>();

  /** Aborts (with a ShuttingDownError) once the grace period of a shutdown has run out. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get size(): number {
    return this.inFlight.size;
  }

  /** Tracks a stream; `controller`, when given, is aborted if the stream outlives the grace period. */
  async track<T>(work: Promise<T>, controller?: AbortController): Promise<T> {
    this.inFlight.set(work, controller);
    if (this.controller.signal.aborted) controller?.abort(this.controller.signal.reason);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** Waits up to `graceMs` for streams to end, then cancels the rest and waits for them to settle. */
  async drain(graceMs: number, settleMs = 5000): Promise<void> {
    if (this.inFlight.size > 0)
      await Promise.race([Promise.allSettled([...this.inFlight.keys()]), delay(graceMs)]);
    if (this.inFlight.size === 0) return;
    const reason = new ShuttingDownError();
    this.controller.abort(reason);
    for (const controller of this.inFlight.values()) controller?.abort(reason);
    await Promise.race([Promise.allSettled([...this.inFlight.keys()]), delay(settleMs)]);
  }
}
