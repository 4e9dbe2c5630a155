import {
  apiPaths,
  errorBodySchema,
  lastEventIdHeader,
  streamEventIdSchema,
  threadCancelResultSchema,
  threadParamsSchema,
  threadStreamQuerySchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { eventStreamDescription, errorResponses } from '../../http/index.js';

const errors = errorResponses(400, 401, 404, 429);

/**
 * `/threads/:id/stream` and `/threads/:id/cancel`: a thread's run, whoever started it (chat,
 * /v1, another instance) — followed from any event on, or stopped. One chat-service call each.
 */
export const threadRunRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    `${apiPaths.threads}/:id/stream`,
    {
      schema: {
        tags: ['chat'],
        summary: "Follow the thread's run: replay after an event id, then live to its end",
        description: `${eventStreamDescription} Every event carries an id (SSE \`id:\` line, NDJSON \`id\` field) naming its run and position. With \`Last-Event-ID\` (or \`after\`) the stream replays what came after that event and continues live; without one it replays the run in progress from its start. 204 when no run is in progress and nothing came after the id; 410 when the events after the id are no longer kept.`,
        params: threadParamsSchema,
        querystring: threadStreamQuerySchema,
        headers: z.looseObject({ [lastEventIdHeader]: streamEventIdSchema.optional() }),
        response: { 204: z.null(), ...errors, 410: errorBodySchema },
      },
    },
    async (request, reply) => {
      const header = request.headers[lastEventIdHeader];
      const cursor = typeof header === 'string' ? header : request.query.after;
      const caller = { userId: request.userId, reply, accept: request.headers.accept };
      if (!(await app.chat.follow(caller, request.params.id, cursor))) return reply.code(204).send(null);
      return reply;
    },
  );

  app.post(
    `${apiPaths.threads}/:id/cancel`,
    {
      schema: {
        tags: ['chat'],
        summary: "Stop the thread's run in progress",
        description:
          'Idempotent. Every reader of the run sees it end with `thread.run.cancelled`, and the partial answer is kept in the history marked cancelled. Answers once the run has ended.',
        params: threadParamsSchema,
        response: { 200: threadCancelResultSchema, ...errors },
      },
    },
    async (request) => ({
      threadId: request.params.id,
      cancelled: await app.chat.stop(request.userId, request.params.id),
    }),
  );
};
