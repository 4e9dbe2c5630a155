import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../../config.js';
import { AppError } from '../errors/app-error.js';
import { closeRateLimitRedis, connectRateLimitRedis } from './rate-limit-redis.js';

type RateLimitConfig = Pick<
  Config,
  'RATE_LIMIT_MAX' | 'RATE_LIMIT_WINDOW_MS' | 'REDIS_URL' | 'AUTH_TOKENS' | 'TRUSTED_PROXY_USER_HEADER'
>;

/** Per user when users are known (auth on), else per client IP. */
export const rateLimitKey = (config: RateLimitConfig) => {
  const isAuthOn = config.AUTH_TOKENS.size > 0 || config.TRUSTED_PROXY_USER_HEADER !== undefined;
  return (request: FastifyRequest): string => (isAuthOn ? `user:${request.userId}` : `ip:${request.ip}`);
};

/** Key prefix in Redis: `threadline-rl-user:alice`, `threadline-rl-ip:10.0.0.1`. */
export const rateLimitRedisNamespace = 'threadline-rl-';

/**
 * @fastify/rate-limit on every route registered after it except the public ones (health, docs,
 * the web app): 429 in the one error shape with Retry-After. In-memory by default; with
 * `REDIS_URL` the counters live in Redis so every instance sharing it shares one budget per key.
 * `skipOnError` (Redis only; the memory store cannot fail): when Redis is down or slow the request
 * is served unlimited rather than failed, because the limiter guards cost, not correctness, and
 * an outage of its store should not become an outage of chat.
 * Registered after auth so `request.userId` is known when the key is computed.
 */
export const rateLimitPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: RateLimitConfig }) => {
    const { config } = options;
    const redis = config.REDIS_URL ? await connectRateLimitRedis(config.REDIS_URL, app.log) : undefined;
    if (redis) app.addHook('onClose', async () => closeRateLimitRedis(redis));
    await app.register(rateLimit, {
      global: true,
      max: config.RATE_LIMIT_MAX,
      timeWindow: config.RATE_LIMIT_WINDOW_MS,
      keyGenerator: rateLimitKey(config),
      // Auth has already told public paths apart.
      allowList: (request) => request.isPublicPath,
      ...(redis ? { redis, nameSpace: rateLimitRedisNamespace, skipOnError: true } : {}),
      errorResponseBuilder: (_request, context) =>
        new AppError('rate_limited', 429, `Too many requests; retry in ${context.after}.`),
    });
  },
  { name: 'threadline-rate-limit', dependencies: ['threadline-auth'] },
);
