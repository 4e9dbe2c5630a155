import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { z } from 'zod';
import { recordsUnavailable, type SharedRecords } from './owner-records.js';

/**
 * Keys (docs/deployment.md lists them), `<scope>` naming the engine (recordsScope):
 * - `threadline:owner:<scope>:<kind>:<id>`: the owner's user id; no expiry.
 * - `threadline:defaults:<scope>:<userId>`: the user's default stores, a JSON array; no expiry.
 * - `threadline:defaults-claim:<scope>:<userId>`: who is provisioning them; `SET NX PX`.
 */
export const ownerRedisNamespace = 'threadline:';

// Renews the claim when `holder` has it, else takes it only if it is free (NX).
const claimScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 1 end
return 0`;
const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;
const storedIds = z.array(z.string());

/**
 * A command a request waits on fails fast while Redis is away (no offline queue, one retry, a
 * 2 s timeout) and the connection comes back by itself, as the run coordination's does.
 */
const connectionOptions = {
  lazyConnect: true,
  connectTimeout: 1_000,
  commandTimeout: 2_000,
  maxRetriesPerRequest: 1,
  enableOfflineQueue: false,
  retryStrategy: (attempt: number) => Math.min(attempt * 200, 2_000),
} as const;

/** The records in Redis, shared by every instance that names it (REDIS_URL without MONGODB_URI). */
export async function createRedisRecords(
  url: string,
  scope: string,
  log: Pick<FastifyBaseLogger, 'warn' | 'info'>,
): Promise<SharedRecords> {
  const redis = new Redis(url, connectionOptions);
  let isWarned = false;
  redis.on('error', (error: Error) => {
    if (isWarned) return;
    isWarned = true;
    log.warn({ err: error }, 'ownership: Redis unavailable; requests that check an owner answer 503');
  });
  redis.on('ready', () => {
    if (isWarned) log.info('ownership: Redis is back');
    isWarned = false;
  });
  // An unreachable Redis at start-up is logged, not fatal: the connection keeps retrying.
  await redis.connect().catch(() => undefined);

  const ownerKey = (kind: string, id: string) => `${ownerRedisNamespace}owner:${scope}:${kind}:${id}`;
  const defaultsKey = (userId: string) => `${ownerRedisNamespace}defaults:${scope}:${userId}`;
  const claimKey = (userId: string) => `${ownerRedisNamespace}defaults-claim:${scope}:${userId}`;
  const command = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      throw recordsUnavailable('redis', error);
    }
  };

  return {
    home: 'redis',
    owners: {
      record: (kind, id, userId) =>
        command(async () => void (await redis.set(ownerKey(kind, id), userId, 'NX'))),
      ownerOf: (kind, id) => command(() => redis.get(ownerKey(kind, id))),
      forget: (kind, id) => command(async () => void (await redis.del(ownerKey(kind, id)))),
    },
    defaults: {
      get: (userId) =>
        command(async () => {
          const text = await redis.get(defaultsKey(userId));
          if (text === null) return null;
          const parsed = storedIds.safeParse(JSON.parse(text));
          return parsed.success ? parsed.data : [];
        }),
      putIfAbsent: (userId, ids) =>
        command(async () => (await redis.set(defaultsKey(userId), JSON.stringify(ids), 'NX')) === 'OK'),
      put: (userId, ids) =>
        command(async () => void (await redis.set(defaultsKey(userId), JSON.stringify(ids)))),
      claim: (userId, holder, ttlMs) =>
        command(
          async () => (await redis.eval(claimScript, 1, claimKey(userId), holder, String(ttlMs))) === 1,
        ),
      release: (userId, holder) =>
        command(async () => void (await redis.eval(releaseScript, 1, claimKey(userId), holder))),
    },
    async close() {
      if (redis.status === 'ready') await redis.quit().catch(() => redis.disconnect());
      else redis.disconnect();
    },
  };
}
