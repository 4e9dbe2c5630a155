import {
  responseCreateSchema,
  responseDeletedSchema,
  responseItemListQuerySchema,
  responseItemListSchema,
  responseObjectSchema,
  responseRetrieveQuerySchema,
  v1IdSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { ResponseService } from '../../../responses/index.js';
import { sendResponseEvents } from './response-sse.js';

const params = z.object({ response_id: v1IdSchema });

/**
 * `/v1/responses`: create (answered at once in the background, streamed, or when done), retrieve
 * (streamed again with `stream=true`, after `starting_after`), delete, cancel, input items.
 */
export const v1ResponseRoutes: FastifyPluginAsyncZod<{
  service: ResponseService;
  heartbeatMs: number;
}> = async (app, { service, heartbeatMs }) => {
  app.post('/responses', { schema: { body: responseCreateSchema } }, async (request, reply) => {
    const body = request.body;
    const created = await service.create(body, request.userId);
    if (body.stream === true)
      return sendResponseEvents(reply, (signal) => created.live.follow(-1, signal), heartbeatMs);
    if (body.background === true) return created.response;
    return created.finished;
  });

  app.get(
    '/responses/:response_id',
    { schema: { params, querystring: responseRetrieveQuerySchema } },
    async (request, reply) => {
      const { response_id: responseId } = request.params;
      if (request.query.stream !== 'true') return service.get(responseId, request.userId);
      const after = request.query.starting_after ?? -1;
      // Checked before the stream opens, so an unknown id is a 404, not an empty stream.
      service.get(responseId, request.userId);
      return sendResponseEvents(
        reply,
        (signal) => service.events(responseId, request.userId, after, signal),
        heartbeatMs,
      );
    },
  );

  app.delete(
    '/responses/:response_id',
    { schema: { params, response: { 200: responseDeletedSchema } } },
    async (request) => service.delete(request.params.response_id, request.userId),
  );

  app.post(
    '/responses/:response_id/cancel',
    { schema: { params, response: { 200: responseObjectSchema } } },
    async (request) => service.cancel(request.params.response_id, request.userId),
  );

  app.get(
    '/responses/:response_id/input_items',
    {
      schema: { params, querystring: responseItemListQuerySchema, response: { 200: responseItemListSchema } },
    },
    async (request) => service.inputItems(request.params.response_id, request.userId, request.query),
  );
};
