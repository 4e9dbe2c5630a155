import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet sets for these options. They do not depend on the request (no CSP nonces),
 * so helmet runs once, against a response that only records what it is told.
 */
export function securityHeadersFor(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: Error | undefined;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) failure = error instanceof Error ? error : new Error('helmet refused the options');
  });
  if (failure) throw failure;
  return headers;
}

/**
 * Helmet's security headers on every response, computed once at start-up and set on the reply
 * (so Fastify writes them with the rest in one go). @fastify/helmet builds the middleware again
 * on every request, parsing the CSP each time: about a tenth of a millisecond on the path to a
 * stream's first event.
 */
export const securityHeadersPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { helmet: HelmetOptions }) => {
    const headers = securityHeadersFor(options.helmet);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'threadline-security-headers' },
);
