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
import { replyWithRun } from './sse-reply.js';
import { forgetV1Thread, recordV1Messages } from './v1-history.js';
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
    for (const message of body.messages ?? []) await assertAttachments(engine, message.attachments);
    const thread = await engine.createThread({
      owner: userId,
      vectorStoreIds: await vectorStoreIdsOf(engine, toolResources, ownedBy(userId)),
      metadata: body.metadata ?? null,
      messages,
    });
    await app.ownership.record('thread', thread.id, userId);
    for (const message of body.messages ?? [])
      await addAttachmentsToThread(engine, thread.id, message.attachments, ownedBy(userId));
    const created = (await engine.getThread(thread.id)) ?? thread;
    // In the web app's history from the start, with the messages it was made with.
    recordV1Messages(app, created, userId, await engine.store.allMessages(thread.id));
    return created;
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
    await forgetV1Thread(app, id, request.userId);
    return { id, object: 'thread.deleted' as const, deleted: true };
  });

  app.post(
    '/threads/runs',
    { schema: { body: v1CreateThreadAndRunSchema, querystring: v1RunQuerySchema } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      const { thread: threadBody, tool_resources: toolResources, ...runBody } = request.body;
      const options = await toRunOptions(engine, runBody, request.query);
      const thread = await createThread(
        request.userId,
        threadBody ?? {},
        toolResources ?? threadBody?.tool_resources,
      );
      const { run, events } = await engine.startRun(thread.id, options, true);
      const isStream = runBody.stream === true;
      // Only a stream opens with `thread.created`; a polled run's log is the run's alone.
      const shown = events && isStream ? announced(thread, events) : events;
      const started = { threadId: thread.id, userId: request.userId, run, events: shown };
      return replyWithRun(reply, started, isStream, heartbeatMs);
    },
  );
};
