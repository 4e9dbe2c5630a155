import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toOpenAiError } from './openai-error.js';
import { AppError } from './app-error.js';
import { toErrorBody } from './to-error-body.js';

const isV1 = (url: string) => url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');

/** Sends `error` in the one error shape, or OpenAI's under /v1, for code outside any route's context. */
function sendShaped(error: AppError, request: FastifyRequest, reply: FastifyReply): void {
  if (isV1(request.url)) {
    const mapped = toOpenAiError(error);
    void reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
    return;
  }
  const { body, headers } = toErrorBody(error);
  void reply.code(body.statusCode).headers(headers).send(body);
}

/**
 * Fastify's `frameworkErrors`: what the router rejects before any route or hook runs (a malformed
 * percent-encoding, a path parameter over 100 characters) leaves in the one error shape, not
 * Fastify's own body.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  const appError =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? tooLongPathSegment(request)
      : error.code === 'FST_ERR_BAD_URL'
        ? new AppError(
            'bad_request',
            400,
            'The URL is not valid: it has a malformed percent-encoded sequence',
          )
        : new AppError('bad_request', 400, 'The request could not be routed');
  request.log.info({ code: error.code }, 'request rejected by the router');
  sendShaped(appError, request, reply);
}

const maxPathSegmentLength = 100;

/** 414 in the one error shape; on /v1 OpenAI's answer, a 404 (no object has such an id). */
const tooLongPathSegment = (request: FastifyRequest) =>
  isV1(request.url)
    ? new AppError(
        'not_found',
        404,
        `No such object: the id in the path is longer than ${maxPathSegmentLength} characters.`,
      )
    : new AppError('uri_too_long', 414, `A path parameter is longer than ${maxPathSegmentLength} characters`);

/**
 * A path segment over 100 characters is refused before routing: 414, or 404 on /v1 (see
 * tooLongPathSegment). The router does so for a route's parameter, but catch-all routes (the web
 * app's, /v1's unknown paths) would otherwise take the request; no id or asset name is that long.
 */
export function refuseLongPathSegments(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?', 1)[0] ?? '';
    if (!path.split('/').some((segment) => segment.length > maxPathSegmentLength)) return done();
    sendShaped(tooLongPathSegment(request), request, reply);
  });
}

/**
 * While the server closes, new requests get `503 shutting_down` in the one shape (Fastify's own
 * 503 on closing has its own body, so it is turned off in buildApp).
 */
export function refuseWhileClosing(app: FastifyInstance): void {
  let isClosing = false;
  app.addHook('preClose', (done) => {
    isClosing = true;
    done();
  });
  app.addHook('onRequest', (_request, reply, done) => {
    if (!isClosing) return done();
    void reply.header('connection', 'close');
    done(new AppError('shutting_down', 503, 'The server is shutting down; try again shortly'));
  });
}
