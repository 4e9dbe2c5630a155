import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import {
  apiPaths,
  chatRequestSchema,
  maxAudioUploadBytes,
  modelListSchema,
  speechStatusSchema,
  toolOutputsRequestSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { eventStreamDescription, errorResponses } from '../../http/index.js';
import { asBadAudio } from '../../speech/index.js';
import { transcribeVoiceQuestion } from './voice-question.js';

const errors = errorResponses(400, 401, 404, 413, 429);

/**
 * `/chat/stream`, `/chat/tool-outputs` and `/models`: Threadline's own chat API. Each handler
 * parses, makes one call to the chat service (`app.chat`, which streams the turn) and replies.
 */
export const chatRoutes: FastifyPluginAsyncZod = async (app) => {
  // A voice question: multipart with an `audio` file (25 MB at most, as OpenAI's audio uploads).
  await app.register(multipart, {
    attachFieldsToBody: true,
    limits: { fileSize: maxAudioUploadBytes, files: 1, fields: 10, parts: 11 },
    throwFileSizeLimit: true,
  });
  const spoken = new WeakSet<FastifyRequest>();

  app.post(
    apiPaths.chatStream,
    {
      schema: {
        tags: ['chat'],
        summary: 'Send a message (or, as multipart with `audio`, speak it) and stream the run',
        description: `${eventStreamDescription} A spoken question (multipart: \`audio\`, and \`threadId\`, \`vectorStoreIds\`, \`model\`, \`language\` as fields) is transcribed first; its user message comes first in the stream, marked \`metadata.spoken\`.`,
        body: chatRequestSchema,
        response: errors,
      },
      preValidation: async (request) => {
        if (await transcribeVoiceQuestion(app, request).catch(asBadAudio)) spoken.add(request);
      },
      // attachFieldsToBody reads the upload before preValidation, so its size error arrives here;
      // what this handler throws goes on to the app's error handler, as the one 413.
      errorHandler: (error) => asBadAudio(error),
    },
    async (request, reply) => {
      await app.chat.send({ userId: request.userId, reply, accept: request.headers.accept }, request.body, {
        isSpoken: spoken.has(request),
      });
      return reply;
    },
  );

  app.get(
    apiPaths.speech,
    {
      schema: {
        tags: ['chat'],
        summary: 'Whether speech in (microphone) and out (read aloud) are available',
        response: { 200: speechStatusSchema },
      },
    },
    async () => app.speech.status(),
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
