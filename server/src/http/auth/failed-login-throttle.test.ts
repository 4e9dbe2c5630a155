import { describe, expect, it } from 'vitest';
import { FailedLoginThrottle } from './failed-login-throttle.js';

describe('FailedLoginThrottle', () => {
  it('refuses an IP past the bound until its window ends, and no other IP', () => {
    let now = 1000;
    const throttle = new FailedLoginThrottle(3, 60_000, () => now);
    for (let index = 0; index < 3; index += 1) {
      expect(throttle.retryAfterMs('10.0.0.1')).toBe(0);
      throttle.recordFailure('10.0.0.1');
    }
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(60_000);
    expect(throttle.retryAfterMs('10.0.0.2')).toBe(0);
    now += 59_000;
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(1000);
    now += 1000;
    expect(throttle.retryAfterMs('10.0.0.1')).toBe(0);
  });
});
