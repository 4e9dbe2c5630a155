import { describe, expect, it } from 'vitest';
import { retryDelay } from './retry-delay.js';

const policy = { baseMs: 100, maxMs: 5000 };

describe('retryDelay', () => {
  it.each([
    [1, 0, 50],
    [1, 1, 100],
    [2, 0, 100],
    [3, 1, 400],
    [6, 0.5, 2400],
    [7, 1, 5000],
    [30, 0, 2500],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(retryDelay(attempt, policy, () => random)).toBe(expected);
  });

  it('stays within [cap/2, cap] for any jitter', () => {
    for (let attempt = 1; attempt < 20; attempt += 1) {
      const delay = retryDelay(attempt, policy);
      const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
      expect(delay).toBeGreaterThanOrEqual(cap / 2);
      expect(delay).toBeLessThanOrEqual(cap);
    }
  });
});
