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
  private readonly inFlight = new Set<Promise<unknown>>();

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get size(): number {
    return this.inFlight.size;
  }

  async track<T>(work: Promise<T>): Promise<T> {
    this.inFlight.add(work);
    try {
      return await work;
    } finally {
      this.inFlight.delete(work);
    }
  }

  /** Waits up to `graceMs` for streams to end, then cancels the rest and waits for them to settle. */
  async drain(graceMs: number, settleMs = 5000): Promise<void> {
    if (this.inFlight.size > 0) await Promise.race([Promise.allSettled([...this.inFlight]), delay(graceMs)]);
    if (this.inFlight.size === 0) return;
    this.controller.abort(new ShuttingDownError());
    await Promise.race([Promise.allSettled([...this.inFlight]), delay(settleMs)]);
  }
}
