import type { V1Error } from '@threadline/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toErrorBody } from './to-error-body.js';

/** Maps anything thrown under /v1 onto OpenAI's error shape and status codes. */
export function toOpenAiError(error: unknown): {
  statusCode: number;
  body: V1Error;
  headers: Record<string, string>;
  isServerFault: boolean;
} {
  const { body, headers, isServerFault } = toErrorBody(error);
  const firstIssue = body.issues?.[0];
  // OpenAI names the parameter itself ("model"), not where it was ("body.model").
  const param = firstIssue?.path.replace(/^(body|querystring|params)(\.|$)/, '') || null;
  const type = body.statusCode >= 500 ? 'server_error' : 'invalid_request_error';
  const code =
    body.statusCode === 401 ? 'invalid_api_key' : body.statusCode === 429 ? 'rate_limit_exceeded' : null;
  return {
    statusCode: body.statusCode,
    body: { error: { message: body.message, type, param, code } },
    headers,
    isServerFault,
  };
}

/** Gives the /v1 context its own error and not-found handlers (encapsulated: the rest of the app keeps its shape). */
export function installOpenAiErrors(app: FastifyInstance, notFoundMessage?: string): void {
  app.setErrorHandler((error, request, reply) => {
    const mapped = toOpenAiError(error);
    if (mapped.isServerFault) request.log.error({ err: error }, 'v1 request failed');
    if (reply.sent || reply.raw.headersSent) return;
    void reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
  });
  const notFound = (request: FastifyRequest, reply: FastifyReply) => {
    const body: V1Error = {
      error: {
        message: notFoundMessage ?? `Invalid URL (${request.method} ${request.url.split('?')[0] ?? ''})`,
        type: 'invalid_request_error',
        param: null,
        code: null,
      },
    };
    return reply.code(404).send(body);
  };
  app.setNotFoundHandler(notFound);
  // The web app's GET /* fallback would otherwise claim unknown /v1 paths.
  app.all('/*', { schema: { hide: true } }, notFound);
}
