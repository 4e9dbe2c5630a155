import multipart from '@fastify/multipart';
import {
  apiPaths,
  legacyActionsRequestSchema,
  legacyAssistantCreatedSchema,
  legacyAssistantRequestSchema,
  legacyFileListSchema,
  legacyMessageRequestSchema,
  legacyThreadCreatedSchema,
  threadIdParamsSchema,
  type AssistantStreamEvent,
} from '@threadline/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.js';
import { AppError, notFound, errorResponses } from '../../http/index.js';
import { wireEngineOf } from '../../engines/index.js';
import { deliverRun } from '../../run-logs/index.js';
import { attachmentDisposition, uploadFileName } from '../../http/index.js';
import { watchDisconnect } from '../../http/index.js';
import { parseAsJsonOrNothing } from '../../http/index.js';
import { createLegacyAssistants } from './legacy-assistants.js';
import { spokenMessage } from './legacy-voice.js';
import { createLegacyStoreResolver } from './legacy-vector-store.js';
import { findOwnedThread, threadOwnerKey } from '../../ownership/index.js';

const errors = errorResponses(400, 401, 404, 429);

/**
 * The migration baseline: openai-assistants-quickstart's Next.js routes on the configured
 * engine. Deliberately as they were: NDJSON (AssistantStream.toReadableStream), no cancelling
 * of a run still active on the thread (a concurrent send gets the engine's active-run error),
 * no transcript persistence. Runs search every vector store, as the quickstart's assistant
 * searched the one store holding all its files; the file routes manage that one store. On the
 * local engine, runs use the quickstart's assistant once made (see createLegacyAssistants).
 */
export const legacyRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  // The quickstart's fetch calls send `JSON.stringify(...)` with no content type, which the
  // browser labels text/plain; read such bodies as the JSON they are.
  parseAsJsonOrNothing(app, 'text/plain');
  const resolveLegacyStore = createLegacyStoreResolver();
  const engine = app.engine;
  const wireEngine = wireEngineOf(engine);
  const assistants = wireEngine
    ? createLegacyAssistants({
        engine: wireEngine,
        database: app.embeddedDatabase,
        pinnedId: config.LEGACY_ASSISTANT_ID,
      })
    : null;
  const legacyStore = (userId: string) => resolveLegacyStore(userId, app.knowledgeFor(userId).vectorStores);
  if (!app.hasRequestDecorator('isMultipart')) {
    await app.register(multipart, { limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 1 } });
  }

  const spoken = new WeakSet<FastifyRequest>();

  const streamNdjson = async (
    reply: FastifyReply,
    threadId: string,
    start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>,
  ) => {
    const controller = new AbortController();
    watchDisconnect(reply.raw, controller);
    await deliverRun({
      reply,
      threadId,
      controller,
      start,
      log: { privateMaxEvents: config.RUN_LOG_MAX_EVENTS },
      drain: app.streamDrain,
      follow: { framing: 'ndjson', heartbeatMs: config.HEARTBEAT_MS, isAnnounced: true },
    });
    return reply;
  };

  app.post(
    apiPaths.legacy.assistants,
    {
      schema: {
        tags: ['legacy'],
        summary: "Create the quickstart's assistant (no body) or one of your own; legacy runs use it",
        body: legacyAssistantRequestSchema,
        response: { 200: legacyAssistantCreatedSchema, ...errors },
      },
    },
    async (request) => {
      if (!assistants)
        throw new AppError(
          'bad_request',
          400,
          `Assistants are kept by the local engine; this server runs "${engine.name}" (ENGINE), whose legacy runs use file search only`,
        );
      const assistant = await assistants.create(request.body, request.userId);
      await app.ownership.record('assistant', assistant.id, request.userId);
      return { assistantId: assistant.id };
    },
  );

  app.post(
    apiPaths.legacy.threads,
    {
      schema: {
        tags: ['legacy'],
        summary: 'Create a thread',
        response: { 200: legacyThreadCreatedSchema, ...errors },
      },
    },
    async (request) => {
      const thread = await app.engine.createThread({ metadata: { [threadOwnerKey]: request.userId } });
      await app.ownership.record('thread', thread.id, request.userId);
      return { threadId: thread.id };
    },
  );

  app.post(
    '/api/assistants/threads/:threadId/messages',
    {
      schema: {
        tags: ['legacy'],
        summary: 'Append a message and stream the run as NDJSON (no cancel, no persistence)',
        description:
          'A spoken message is multipart: an `audio` file (25 MB at most) and, if you like, `language`; its transcript is the message, marked `metadata.spoken`.',
        params: threadIdParamsSchema,
        body: legacyMessageRequestSchema,
        response: errors,
      },
      preValidation: async (request) => {
        if (!request.isMultipart()) return;
        request.body = await spokenMessage(app, request);
        spoken.add(request);
      },
    },
    async (request, reply) => {
      const { threadId } = request.params;
      await findOwnedThread(app, threadId, request.userId);
      const vectorStoreIds = (await app.knowledgeFor(request.userId).vectorStores.list()).map(
        (store) => store.id,
      );
      // The assistant is settled before the message is added: a missing one adds nothing.
      const start =
        (await assistants?.runFor(request.userId, threadId, vectorStoreIds)) ??
        ((signal: AbortSignal) => engine.streamRun(threadId, { vectorStoreIds }, signal));
      await engine.appendMessage(threadId, {
        content: request.body.content,
        ...(spoken.has(request) ? { metadata: { spoken: 'true' } } : {}),
      });
      return streamNdjson(reply, threadId, start);
    },
  );

  app.post(
    '/api/assistants/threads/:threadId/actions',
    {
      schema: {
        tags: ['legacy'],
        summary: 'Submit tool outputs and stream the continuation as NDJSON',
        params: threadIdParamsSchema,
        body: legacyActionsRequestSchema,
        response: errors,
      },
    },
    async (request, reply) => {
      const { threadId } = request.params;
      await findOwnedThread(app, threadId, request.userId);
      const { runId, toolCallOutputs } = request.body;
      return streamNdjson(reply, threadId, (signal) =>
        app.engine.submitToolOutputs(threadId, runId, toolCallOutputs, signal),
      );
    },
  );

  app.get(
    apiPaths.legacy.files,
    {
      schema: {
        tags: ['legacy'],
        summary: "Files of the legacy assistant's vector store",
        response: { 200: legacyFileListSchema, ...errors },
      },
    },
    async (request) => {
      const store = await legacyStore(request.userId);
      const files = await app.knowledgeFor(request.userId).vectorStores.listFiles(store.id);
      return files.map((file) => ({ file_id: file.id, filename: file.fileName, status: file.status }));
    },
  );

  app.post(
    apiPaths.legacy.files,
    {
      schema: {
        tags: ['legacy'],
        summary: "Upload a file (multipart field `file`) to the legacy assistant's store",
      },
    },
    async (request, reply) => {
      if (!request.isMultipart())
        throw new AppError('unsupported_media_type', 415, 'Expected multipart/form-data');
      const part = await request.file();
      if (!part || part.fieldname !== 'file')
        throw new AppError('bad_request', 400, 'Expected a multipart field "file"');
      const bytes = await part.toBuffer();
      const store = await legacyStore(request.userId);
      await app.knowledgeFor(request.userId).vectorStores.addFile(store.id, {
        fileName: uploadFileName(part.filename),
        bytes,
        contentType: part.mimetype,
      });
      return reply.code(200).send();
    },
  );

  app.delete(
    apiPaths.legacy.files,
    {
      schema: {
        tags: ['legacy'],
        summary: "Remove a file from the legacy assistant's store",
        body: z.object({ fileId: z.string().min(1).max(128) }),
      },
    },
    async (request, reply) => {
      const store = await legacyStore(request.userId);
      const isRemoved = await app
        .knowledgeFor(request.userId)
        .vectorStores.removeFile(store.id, request.body.fileId);
      if (!isRemoved) throw notFound('File');
      return reply.code(200).send();
    },
  );

  app.get(
    '/api/files/:fileId',
    {
      schema: {
        tags: ['legacy'],
        summary: "A file's content, as an attachment",
        params: z.object({ fileId: z.string().min(1).max(128) }),
      },
    },
    async (request, reply) => {
      const { fileId } = request.params;
      const { files } = app.knowledgeFor(request.userId);
      const [file, content] = await Promise.all([files.get(fileId), files.content(fileId)]);
      if (!file || !content) throw notFound('File');
      return reply
        .header('content-type', 'application/octet-stream')
        .header('content-disposition', attachmentDisposition(file.fileName))
        .send(content);
    },
  );
};
