/**
 * Paces the start of new streams so a burst of them cannot starve the streams already running.
 *
 * Starting a stream (thread, journal commit, engine call, headers) costs a few tenths of a
 * millisecond. When hundreds of requests arrive in one turn of the event loop, Node would start
 * them all before running any timer or socket write, and every open stream would stall for as
 * long (200 ms for 600 arrivals on this 2-core machine). The gate lets starts through while the
 * current slice of the loop has used less than `sliceMs`; later ones wait for the next turn, so
 * timers and writes of running streams get the loop between slices. Without a burst it costs
 * nothing: the first start of a turn always passes at once.
 */
export class AdmissionGate {
  private readonly waiting: (() => void)[] = [];
  private sliceStartedAt: number | null = null;
  private isReleasing = false;

  constructor(private readonly sliceMs = 5) {}

  /** Starts waiting for their turn (for tests and health). */
  get queued(): number {
    return this.waiting.length;
  }

  /**
   * `undefined` when the caller may start now (the first start of a turn of the event loop);
   * otherwise a promise that resolves when it may.
   */
  admit(): Promise<void> | undefined {
    if (this.sliceStartedAt === null && this.waiting.length === 0) {
      this.openSlice();
      return undefined;
    }
    const admitted = new Promise<void>((resolve) => this.waiting.push(resolve));
    if (!this.isReleasing) {
      this.isReleasing = true;
      queueMicrotask(this.releaseNext);
    }
    return admitted;
  }

  private openSlice(): void {
    this.sliceStartedAt = performance.now();
    // The check phase of this turn ends the slice; starts still waiting get the next one.
    setImmediate(this.endSlice);
  }

  private readonly endSlice = () => {
    this.sliceStartedAt = null;
    if (this.waiting.length > 0 && !this.isReleasing) {
      this.isReleasing = true;
      this.releaseNext();
    }
  };

  /**
   * Releases one waiter, then looks at the clock again in a microtask queued behind its
   * continuation, so the work the released starts do counts against the slice.
   */
  private readonly releaseNext = () => {
    if (this.waiting.length === 0) {
      this.isReleasing = false;
      return;
    }
    if (this.sliceStartedAt === null) this.openSlice();
    else if (performance.now() - this.sliceStartedAt >= this.sliceMs) {
      this.isReleasing = false; // endSlice picks up from here on the next turn
      return;
    }
    this.waiting.shift()?.();
    queueMicrotask(this.releaseNext);
  };
}
