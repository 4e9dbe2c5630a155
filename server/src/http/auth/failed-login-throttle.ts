/**
 * Counts failed logins per client IP in fixed windows. Past `max` failures in a window, the IP is
 * refused (every request, valid token or not, so guessing gains nothing) until the window ends.
 * Successful requests never count, so clients with a valid token are only ever refused when they
 * share an IP with someone guessing.
 */
export class FailedLoginThrottle {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `ip` may try again, or 0 when it may now. */
  retryAfterMs(ip: string): number {
    const window = this.current(ip);
    if (!window || window.failures < this.max) return 0;
    return window.startedAt + this.windowMs - this.now();
  }

  recordFailure(ip: string): void {
    const window = this.current(ip);
    if (window) window.failures += 1;
    else {
      // Bounded memory under a spray of addresses: expired windows go first.
      if (this.windows.size >= 100_000) this.prune();
      this.windows.set(ip, { startedAt: this.now(), failures: 1 });
    }
  }

  private current(ip: string) {
    const window = this.windows.get(ip);
    if (window && this.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(ip);
      return undefined;
    }
    return window;
  }

  private prune(): void {
    const now = this.now();
    for (const [ip, window] of this.windows)
      if (now - window.startedAt >= this.windowMs) this.windows.delete(ip);
    if (this.windows.size >= 100_000) this.windows.clear();
  }
}
