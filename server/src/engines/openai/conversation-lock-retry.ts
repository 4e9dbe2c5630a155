import { setTimeout as delay } from 'node:timers/promises';
import { APIError } from 'openai';

export type LockRetryOptions = { attempts: number; baseDelayMs: number; maxDelayMs: number };

export const defaultLockRetry: LockRetryOptions = { attempts: 6, baseDelayMs: 250, maxDelayMs: 2000 };

/** Conversations answer a write during a running response with `400 conversation_locked`. */
export const isConversationLocked = (error: unknown): boolean =>
  error instanceof APIError && error.status === 400 && error.code === 'conversation_locked';

/**
 * Retries `operation` while the conversation is locked, with exponential backoff and jitter,
 * at most `attempts` times in all; any other error, or the last locked one, is thrown.
 */
export async function retryWhileConversationLocked<T>(
  operation: () => Promise<T>,
  options: LockRetryOptions,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!isConversationLocked(error) || attempt >= options.attempts) throw error;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
      // Jitter keeps two waiting writers from retrying in lock-step.
      await delay(backoff * (0.5 + Math.random() / 2), undefined, signal ? { signal } : undefined);
    }
  }
}
