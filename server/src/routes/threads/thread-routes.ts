import {
  apiPaths,
  renameThreadRequestSchema,
  threadListQuerySchema,
  threadListSchema,
  threadMessagesSchema,
  threadParamsSchema,
  threadSummarySchema,
  type ThreadSummary,
} from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, notFound, errorResponses } from '../../http/index.js';
import type { StoredThread } from '../../transcripts/index.js';
import { resolveCitations } from './resolve-citations.js';

const errors = errorResponses(400, 401, 404, 503);
const withoutOwner = ({ userId: _userId, ...summary }: StoredThread): ThreadSummary => summary;

/** Store failures a retry may fix are a 503 the client can retry, not a generic 500. */
async function fromStore<T>(app: FastifyInstance, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    if (error instanceof AppError || !app.transcripts.isTransientError(error)) throw error;
    throw new AppError('store_unavailable', 503, 'The transcript store is unavailable; try again shortly', {
      cause: error,
      headers: { 'retry-after': '5' },
    });
  }
}

/** The caller's conversation history: list, read, rename, delete. Other users' threads are 404s. */
export const threadRoutes: FastifyPluginAsyncZod = async (app) => {
  // The same paths as apiPaths.thread(id) / apiPaths.threadMessages(id) build.
  const threadPath = `${apiPaths.threads}/:id`;
  const messagesPath = `${apiPaths.threads}/:id/messages`;

  const ownedThread = async (userId: string, threadId: string) => {
    const thread = await fromStore(app, () => app.transcripts.getThread(userId, threadId));
    if (!thread) throw notFound('Thread');
    return thread;
  };

  app.get(
    apiPaths.threads,
    {
      schema: {
        tags: ['threads'],
        summary: "The caller's threads, newest first",
        description: 'Cursor-paged by `updatedAt`; `q` searches titles and message text, case-insensitively.',
        querystring: threadListQuerySchema,
        response: { 200: threadListSchema, ...errors },
      },
    },
    async (request) => fromStore(app, () => app.transcripts.listThreads(request.userId, request.query)),
  );

  app.get(
    threadPath,
    {
      schema: {
        tags: ['threads'],
        summary: 'One thread',
        params: threadParamsSchema,
        response: { 200: threadSummarySchema, ...errors },
      },
    },
    async (request) => withoutOwner(await ownedThread(request.userId, request.params.id)),
  );

  app.get(
    messagesPath,
    {
      schema: {
        tags: ['threads'],
        summary: "A thread's messages, oldest first, citations with file names",
        params: threadParamsSchema,
        response: { 200: threadMessagesSchema, ...errors },
      },
    },
    async (request) => {
      const thread = await ownedThread(request.userId, request.params.id);
      const messages = await fromStore(app, () => app.transcripts.listMessages(request.userId, thread.id));
      const files = app.hasDecorator('engine') ? app.engine.files : undefined;
      return { thread: withoutOwner(thread), data: await resolveCitations(messages, files) };
    },
  );

  app.patch(
    threadPath,
    {
      schema: {
        tags: ['threads'],
        summary: 'Rename a thread',
        params: threadParamsSchema,
        body: renameThreadRequestSchema,
        response: { 200: threadSummarySchema, ...errors },
      },
    },
    async (request) => {
      const renamed = await fromStore(app, () =>
        app.transcripts.renameThread(request.userId, request.params.id, request.body.title),
      );
      if (!renamed) throw notFound('Thread');
      return withoutOwner(renamed);
    },
  );

  app.delete(
    threadPath,
    {
      schema: {
        tags: ['threads'],
        summary: 'Delete a thread: its transcript and, where the engine allows, the engine thread',
        params: threadParamsSchema,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const threadId = request.params.id;
      // The writer knows threads whose records have not reached the store yet.
      const owner = await app.transcriptWriter.findThreadOwner(threadId);
      if (owner !== request.userId) throw notFound('Thread');
      await fromStore(app, () => app.transcripts.deleteThread(request.userId, threadId));
      app.transcriptWriter.forgetThread(threadId);
      if (app.hasDecorator('engine')) {
        await app.engine.deleteThread(threadId).catch((error: unknown) => {
          request.log.warn({ err: error, threadId }, 'engine thread not deleted; the transcript is');
        });
      }
      if (app.hasDecorator('ownership')) await app.ownership.forget('thread', threadId);
      return reply.code(204).send(null);
    },
  );
};
