import {
  type AssistantStreamEvent,
  type Thread,
  v1CreateThreadAndRunSchema,
  v1CreateThreadSchema,
  v1IdSchema,
  v1RunQuerySchema,
  v1UpdateThreadSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../http/index.js';
import { pollHeader } from './knowledge-objects.js';
import { requireText, toRunOptions } from './run-request.js';
import {
  addAttachmentsToThread,
  assertAttachments,
  toMessageAttachments,
  vectorStoreIdsOf,
} from './tool-resources.js';
import { sendSse } from './sse-reply.js';
import type { V1Options } from './v1-engine.js';

const params = z.object({ thread_id: v1IdSchema });

/** Create-and-run streams open with `thread.created`, as OpenAI's did. */
async function* announced(
  thread: Thread,
  events: AsyncIterable<AssistantStreamEvent>,
): AsyncIterable<AssistantStreamEvent> {
  yield { event: 'thread.created', data: thread };
  yield* events;
}

/** `/v1/threads`: create (with messages and tool resources), get, update, delete, create-and-run. */
export const v1ThreadRoutes: FastifyPluginAsyncZod<V1Options> = async (app, { engine, heartbeatMs }) => {
  const ownedBy = (userId: string) => (vectorStoreId: string) =>
    app.ownership.record('vector_store', vectorStoreId, userId);
  const createThread = async (
    userId: string,
    body: z.infer<typeof v1CreateThreadSchema>,
    toolResources = body.tool_resources,
  ) => {
    const messages = (body.messages ?? []).map((message) => ({
      role: message.role,
      content: requireText(message.content),
      metadata: message.metadata ?? null,
      attachments: toMessageAttachments(message.attachments),
    }));
    for (const message of body.messages ?? []) assertAttachments(engine, message.attachments);
    const thread = await engine.createThread({
      owner: userId,
      vectorStoreIds: await vectorStoreIdsOf(engine, toolResources, ownedBy(userId)),
      metadata: body.metadata ?? null,
      messages,
    });
    await app.ownership.record('thread', thread.id, userId);
    for (const message of body.messages ?? [])
      await addAttachmentsToThread(engine, thread.id, message.attachments, ownedBy(userId));
    return (await engine.getThread(thread.id)) ?? thread;
  };

  app.post('/threads', { schema: { body: v1CreateThreadSchema.optional() } }, async (request) =>
    createThread(request.userId, request.body ?? {}),
  );

  app.get('/threads/:thread_id', { schema: { params } }, async (request) => {
    const thread = await engine.getThread(request.params.thread_id);
    if (!thread)
      throw new AppError('not_found', 404, `No thread found with id '${request.params.thread_id}'.`);
    return thread;
  });

  app.post('/threads/:thread_id', { schema: { params, body: v1UpdateThreadSchema } }, async (request) =>
    engine.updateThread(request.params.thread_id, {
      metadata: request.body.metadata,
      vectorStoreIds: await vectorStoreIdsOf(engine, request.body.tool_resources, ownedBy(request.userId)),
    }),
  );

  app.delete('/threads/:thread_id', { schema: { params } }, async (request) => {
    const id = request.params.thread_id;
    if (!(await engine.deleteThread(id)))
      throw new AppError('not_found', 404, `No thread found with id '${id}'.`);
    await app.ownership.forget('thread', id);
    return { id, object: 'thread.deleted' as const, deleted: true };
  });

  app.post(
    '/threads/runs',
    { schema: { body: v1CreateThreadAndRunSchema, querystring: v1RunQuerySchema } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      const { thread: threadBody, tool_resources: toolResources, ...runBody } = request.body;
      const options = toRunOptions(engine, runBody, request.query);
      const thread = await createThread(
        request.userId,
        threadBody ?? {},
        toolResources ?? threadBody?.tool_resources,
      );
      const { run, events } = engine.startRun(thread.id, options, runBody.stream === true);
      if (events)
        return sendSse(
          reply,
          { threadId: thread.id, userId: request.userId, events: announced(thread, events) },
          heartbeatMs,
        );
      return run;
    },
  );
};
