import type { FastifyInstance } from 'fastify';
import { toErrorBody } from './to-error-body.js';

/** Installs the one error handler and the 404 handler for Threadline's own routes. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const { body, headers, isServerFault } = toErrorBody(error);
    if (isServerFault) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: body.code, message: body.message }, 'request rejected');
    if (reply.sent || reply.raw.headersSent) return;
    void reply.code(body.statusCode).headers(headers).send(body);
  });

  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      statusCode: 404,
      code: 'not_found',
      message: `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`,
    });
  });
}
