import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { AppError } from '../errors/app-error.js';
import { isPublicPath } from './auth.js';

type RateLimitConfig = Pick<
  Config,
  'RATE_LIMIT_MAX' | 'RATE_LIMIT_WINDOW_MS' | 'REDIS_URL' | 'AUTH_TOKENS' | 'TRUSTED_PROXY_USER_HEADER'
>;

/** Per user when users are known (auth on), else per client IP. */
export const rateLimitKey = (config: RateLimitConfig) => {
  const isAuthOn = config.AUTH_TOKENS.size > 0 || config.TRUSTED_PROXY_USER_HEADER !== undefined;
  return (request: FastifyRequest): string => (isAuthOn ? `user:${request.userId}` : `ip:${request.ip}`);
};

/**
 * @fastify/rate-limit on every route registered after it except the public ones (health, docs,
 * the web app): 429 in the one error shape with Retry-After. In-memory by default; with
 * `REDIS_URL` the counters live in Redis (the optional `ioredis` package) so replicas share them.
 * Registered after auth so `request.userId` is known when the key is computed.
 */
export const rateLimitPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: RateLimitConfig }) => {
    const { config } = options;
    const redis = config.REDIS_URL ? await connectRedis(config.REDIS_URL) : undefined;
    if (redis) app.addHook('onClose', async () => void (await redis.quit()));
    await app.register(rateLimit, {
      global: true,
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_MS,
      keyGenerator: rateLimitKey(config),
      allowList: (request) => isPublicPath(request.url.split('?')[0] ?? '/'),
      ...(redis ? { redis, nameSpace: 'threadline-rate-limit-' } : {}),
      errorResponseBuilder: (_request, context) =>
        new AppError('rate_limited', 429, `Too many requests; retry in ${context.after}.`),
    });
  },
  { name: 'threadline-rate-limit', dependencies: ['threadline-auth'] },
);

type RedisClient = { quit(): Promise<unknown> };

async function connectRedis(url: string): Promise<RedisClient> {
  const moduleName = 'ioredis';
  let imported: unknown;
  try {
    imported = await import(moduleName);
  } catch (error) {
    throw new Error(
      'REDIS_URL is set but the optional "ioredis" package is not installed (npm install ioredis)',
      {
        cause: error,
      },
    );
  }
  const Redis = (imported as { default: new (url: string, options: object) => RedisClient }).default;
  return new Redis(url, { connectTimeout: 500, maxRetriesPerRequest: 1, enableOfflineQueue: false });
}
