import { apiPaths, chatRequestSchema, modelListSchema, toolOutputsRequestSchema } from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { eventStreamDescription, errorResponses } from '../../http/index.js';

const errors = errorResponses(400, 401, 404, 429);

/**
 * `/chat/stream`, `/chat/tool-outputs` and `/models`: Threadline's own chat API. Each handler
 * parses, makes one call to the chat service (`app.chat`, which streams the turn) and replies.
 */
export const chatRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    apiPaths.chatStream,
    {
      schema: {
        tags: ['chat'],
        summary: 'Send a message and stream the run',
        description: eventStreamDescription,
        body: chatRequestSchema,
        response: errors,
      },
    },
    async (request, reply) => {
      await app.chat.send({ userId: request.userId, reply, accept: request.headers.accept }, request.body);
      return reply;
    },
  );

  app.post(
    apiPaths.chatToolOutputs,
    {
      schema: {
        tags: ['chat'],
        summary: 'Submit function tool outputs and stream the continued run',
        description: eventStreamDescription,
        body: toolOutputsRequestSchema,
        response: errors,
      },
    },
    async (request, reply) => {
      const caller = { userId: request.userId, reply, accept: request.headers.accept };
      await app.chat.submitToolOutputs(caller, request.body);
      return reply;
    },
  );

  app.get(
    apiPaths.models,
    { schema: { tags: ['chat'], summary: "The engine's models", response: { 200: modelListSchema } } },
    async () => ({ data: await app.engine.listModels() }),
  );
};
