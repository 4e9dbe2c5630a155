export type RetryPolicy = { baseMs: number; maxMs: number };

export const defaultRetryPolicy: RetryPolicy = { baseMs: 100, maxMs: 5000 };

/**
 * Exponential backoff with "equal jitter": half the capped delay is fixed (so retries do back off)
 * and half random (so many writers recovering at once do not hammer the database in step).
 */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(capped / 2 + random() * (capped / 2));
}
