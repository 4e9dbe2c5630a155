import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../../config.js';
import { AppError } from '../errors/app-error.js';
import { FailedLoginThrottle } from './failed-login-throttle.js';
import { actAs, localUserId } from '../../common/index.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling: `local` with auth off, else the user a token or trusted proxy names. */
    userId: string;
    /** Whether the path is public (no token, no rate limit), decided once per request by auth. */
    isPublicPath: boolean;
  }
}

const equalTokens = (a: string, b: string) => {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
};

/**
 * Off by default (one local user). `AUTH_TOKENS` turns on bearer tokens mapped to user ids;
 * `TRUSTED_PROXY_USER_HEADER` reads the user from a header set by a proxy in front.
 */
export function createAuthenticate(config: Pick<Config, 'AUTH_TOKENS' | 'TRUSTED_PROXY_USER_HEADER'>) {
  const tokens = [...config.AUTH_TOKENS.entries()];
  const proxyHeader = config.TRUSTED_PROXY_USER_HEADER?.toLowerCase();
  return (request: FastifyRequest): string => {
    if (proxyHeader) {
      const value = request.headers[proxyHeader];
      const user = Array.isArray(value) ? value[0] : value;
      if (user && /^[\w.@-]{1,128}$/.test(user)) return user;
      if (tokens.length === 0)
        throw new AppError('unauthorized', 401, `Missing or invalid ${proxyHeader} header`);
    }
    if (tokens.length === 0) return localUserId;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    const presented = match?.[1];
    const found = presented ? tokens.find(([token]) => equalTokens(token, presented)) : undefined;
    if (!found) {
      throw new AppError('unauthorized', 401, 'A valid bearer token is required', {
        headers: { 'www-authenticate': 'Bearer' },
      });
    }
    return found[1];
  };
}

const publicPaths = [
  /^\/health$/,
  /^\/docs(\/|$)/,
  /^\/$/,
  /^\/assets\//,
  /^\/[\w.-]+\.(js|css|png|svg|ico|webmanifest|json|txt)$/,
];

/** Paths anyone may call: no token needed and no rate limit. */
const isPublicPath = (path: string) => publicPaths.some((pattern) => pattern.test(path));

export const authPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: Config }) => {
    const { config } = options;
    const authenticate = createAuthenticate(config);
    const throttle = new FailedLoginThrottle(config.AUTH_FAILURE_MAX, config.AUTH_FAILURE_WINDOW_MS);
    app.decorateRequest('userId', '');
    app.decorateRequest('isPublicPath', false);
    // A callback hook, not an async one: no promise per request on every route's path.
    app.addHook('onRequest', (request, _reply, done) => {
      const path = request.url.split('?')[0] ?? '/';
      if (isPublicPath(path)) {
        request.isPublicPath = true;
        request.userId = localUserId;
        return done();
      }
      const retryAfterMs = throttle.retryAfterMs(request.ip);
      if (retryAfterMs > 0) {
        const seconds = Math.ceil(retryAfterMs / 1000);
        return done(
          new AppError('rate_limited', 429, `Too many failed logins; retry in ${seconds} seconds.`, {
            headers: { 'retry-after': String(seconds) },
          }),
        );
      }
      try {
        request.userId = authenticate(request);
      } catch (error) {
        throttle.recordFailure(request.ip);
        return done(error as Error);
      }
      done();
    });
    // The handler (and the runs, searches and ingestion jobs it starts) acts for the request's
    // user: the shared engine database scopes every transaction to them (row-level security).
    // preHandler, not onRequest: a body is parsed in the socket's async context, which would lose it.
    app.addHook('preHandler', (request, _reply, done) => {
      actAs(request.userId, done);
    });
  },
  { name: 'threadline-auth' },
);
