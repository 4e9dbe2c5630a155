import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';

/**
 * Tuned so a slow or dead Redis costs a request at most `commandTimeout`, never a hang: no offline
 * queue (a command while disconnected fails at once), one retry per command, and reconnection in
 * the background forever with a capped back-off so limits come back by themselves with Redis.
 */
export const rateLimitRedisOptions = {
  lazyConnect: true,
  connectTimeout: 1_000,
  commandTimeout: 500,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
} as const;

/**
 * Connects to the rate-limit Redis. An unreachable Redis at start-up is logged, not fatal: with
 * `skipOnError` the limiter lets requests through until the background reconnect succeeds.
 * Connection changes are logged once per transition rather than per reconnect attempt.
 */
export async function connectRateLimitRedis(url: string, log: FastifyBaseLogger): Promise<Redis> {
  const redis = new Redis(url, rateLimitRedisOptions);
  const where = describe(url);
  let isWarned = false;
  redis.on('ready', () => {
    log.info({ redis: where }, isWarned ? 'rate limits: Redis is back' : 'rate limits: Redis connected');
    isWarned = false;
  });
  redis.on('error', (error: Error) => {
    if (isWarned) return;
    isWarned = true;
    log.warn(
      { redis: where, err: error },
      'rate limits: Redis unavailable, serving requests without limits until it is back',
    );
  });
  try {
    await redis.connect();
  } catch {
    // Already logged by the error listener; the retry strategy keeps reconnecting.
  }
  return redis;
}

/** Ends the connection without waiting on a Redis that is gone. */
export async function closeRateLimitRedis(redis: Redis): Promise<void> {
  if (redis.status === 'ready') {
    await redis.quit().catch(() => redis.disconnect());
    return;
  }
  redis.disconnect();
}

/** host:port for logs, never the password a URL may carry. */
function describe(url: string): string {
  const parsed = new URL(url);
  return `${parsed.protocol}//${parsed.hostname}:${parsed.port || '6379'}`;
}
