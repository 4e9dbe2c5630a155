import { apiPaths, errorBodySchema } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { rateLimitRedisNamespace } from '../../src/http/security/rate-limit.js';
import { rateLimitRedisOptions } from '../../src/http/security/rate-limit-redis.js';
import { eventually } from '../helpers/chat-harness.js';
import {
  announceRedisSkip,
  redisServerPath,
  startRedisServer,
  type RedisTestServer,
} from '../helpers/redis-server.js';
import { testConfig } from '../helpers/test-config.js';

announceRedisSkip('rate limits in Redis');

const alice = { authorization: 'Bearer alice-token-1' };
const bob = { authorization: 'Bearer bob-token-22' };
const users = { AUTH_TOKENS: 'alice-token-1=alice,bob-token-22=bob' };

/** Everything a test started, stopped in reverse order whatever the outcome. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function startApp(environment: Record<string, string>): Promise<FastifyInstance> {
  const config = testConfig({ RATE_LIMIT_WINDOW_MS: '60000', ...environment });
  cleanups.push(() => config.cleanup());
  const app = await buildApp(config, { logger: false });
  cleanups.push(() => app.close());
  return app;
}

async function startRedis(port?: number): Promise<RedisTestServer> {
  const server = await startRedisServer(port);
  cleanups.push(() => server.stop());
  return server;
}

/** A separate client, to look at what the apps wrote. */
function inspector(url: string): Redis {
  const client = new Redis(url, { lazyConnect: true });
  cleanups.push(() => client.disconnect());
  return client;
}

const models = (
  app: FastifyInstance,
  options: { headers?: Record<string, string>; remoteAddress?: string },
) => app.inject({ method: 'GET', url: apiPaths.models, ...options });

describe.skipIf(redisServerPath === undefined)('rate limits in Redis (real redis-server)', () => {
  it('gives two instances sharing one Redis one budget per client IP, 429 in the error shape', async () => {
    const redis = await startRedis();
    const environment = { REDIS_URL: redis.url, RATE_LIMIT_MAX: '3' };
    const [first, second] = [await startApp(environment), await startApp(environment)];
    const client = { remoteAddress: '10.0.0.1' };
    expect((await models(first, client)).statusCode).toBe(200);
    expect((await models(second, client)).statusCode).toBe(200);
    expect((await models(first, client)).statusCode).toBe(200);
    const limited = await models(second, client);
    expect(limited.statusCode).toBe(429);
    expect(errorBodySchema.parse(limited.json())).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect((await models(first, client)).statusCode).toBe(429);
    expect((await models(first, { remoteAddress: '10.0.0.2' })).statusCode).toBe(200);
    for (let index = 0; index < 5; index += 1)
      expect((await second.inject({ method: 'GET', url: '/health', ...client })).statusCode).toBe(200);

    const stored = inspector(redis.url);
    expect(await stored.get(`${rateLimitRedisNamespace}ip:10.0.0.1`)).toBe('5');
    expect(await stored.get(`${rateLimitRedisNamespace}ip:10.0.0.2`)).toBe('1');
    expect(await stored.pttl(`${rateLimitRedisNamespace}ip:10.0.0.1`)).toBeGreaterThan(50_000);
  });

  it('keys by user when auth is on: one user spends one budget across instances, others keep theirs', async () => {
    const redis = await startRedis();
    const environment = { ...users, REDIS_URL: redis.url, RATE_LIMIT_MAX: '2' };
    const [first, second] = [await startApp(environment), await startApp(environment)];
    // Different addresses: the key is the user, not where the request comes from.
    expect((await models(first, { headers: alice, remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
    expect((await models(second, { headers: alice, remoteAddress: '10.0.0.2' })).statusCode).toBe(200);
    const limited = await models(first, { headers: alice, remoteAddress: '10.0.0.3' });
    expect(limited.statusCode).toBe(429);
    expect(errorBodySchema.parse(limited.json()).code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await models(second, { headers: bob, remoteAddress: '10.0.0.1' })).statusCode).toBe(200);

    const stored = inspector(redis.url);
    expect(await stored.get(`${rateLimitRedisNamespace}user:alice`)).toBe('3');
    expect(await stored.get(`${rateLimitRedisNamespace}user:bob`)).toBe('1');
  });

  it('keeps serving when Redis dies mid-run, and limits again once Redis is back', async () => {
    const redis = await startRedis();
    const app = await startApp({ ...users, REDIS_URL: redis.url, RATE_LIMIT_MAX: '2' });
    expect((await models(app, { headers: alice })).statusCode).toBe(200);
    expect((await models(app, { headers: alice })).statusCode).toBe(200);
    expect((await models(app, { headers: alice })).statusCode).toBe(429);

    await redis.kill();
    for (let index = 0; index < 5; index += 1) {
      const started = performance.now();
      expect((await models(app, { headers: alice })).statusCode).toBe(200);
      expect(performance.now() - started).toBeLessThan(1_000);
    }
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

    // A fresh, empty Redis on the same port: the client reconnects by itself and counting resumes.
    await startRedis(redis.port);
    await eventually(
      async () => ((await models(app, { headers: bob })).statusCode === 429 ? true : undefined),
      10_000,
      'limits enforced again after Redis came back',
    );
  });

  it('answers within the command timeout when Redis hangs instead of dying', async () => {
    const redis = await startRedis();
    const app = await startApp({ ...users, REDIS_URL: redis.url, RATE_LIMIT_MAX: '1' });
    expect((await models(app, { headers: alice })).statusCode).toBe(200);
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const started = performance.now();
      expect((await models(app, { headers: alice })).statusCode).toBe(200);
      const elapsed = performance.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(rateLimitRedisOptions.commandTimeout - 50);
      // Generous headroom for a loaded 2-core machine; a hang would be the 60 s window or forever.
      expect(elapsed).toBeLessThan(rateLimitRedisOptions.commandTimeout + 2_000);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
  });
});

describe('rate limits with an unreachable REDIS_URL', () => {
  it('starts promptly and serves without limits rather than failing requests', async () => {
    // Port 1 on loopback: nothing listens there, so every connect is refused at once.
    const started = performance.now();
    const app = await startApp({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_MAX: '1' });
    expect(performance.now() - started).toBeLessThan(rateLimitRedisOptions.connectTimeout + 4_000);
    for (let index = 0; index < 3; index += 1)
      expect((await models(app, { remoteAddress: '10.0.0.1' })).statusCode).toBe(200);
  });
});
