import {
  v1CreateMessageSchema,
  v1IdSchema,
  v1ListQuerySchema,
  v1UpdateMetadataSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listEnvelope } from '../../engines/index.js';
import { toPageQuery } from './list-envelope.js';
import { requireText } from './run-request.js';
import { recordV1Messages } from './v1-history.js';
import { addAttachmentsToThread, assertAttachments, toMessageAttachments } from './tool-resources.js';
import type { V1Options } from './v1-engine.js';

const threadParams = z.object({ thread_id: v1IdSchema });
const messageParams = threadParams.extend({ message_id: v1IdSchema });

/** `/v1/threads/:thread_id/messages`: create, list (cursor pages, `run_id` filter), get, update. */
export const v1MessageRoutes: FastifyPluginAsyncZod<V1Options> = async (app, { engine }) => {
  const ownedBy = (userId: string) => (vectorStoreId: string) =>
    app.ownership.record('vector_store', vectorStoreId, userId);
  app.post(
    '/threads/:thread_id/messages',
    { schema: { params: threadParams, body: v1CreateMessageSchema } },
    async (request) => {
      const { thread_id: threadId } = request.params;
      const { attachments } = request.body;
      await assertAttachments(engine, attachments);
      const message = await engine.appendMessage(threadId, {
        role: request.body.role,
        content: requireText(request.body.content),
        metadata: request.body.metadata ?? null,
        attachments: toMessageAttachments(attachments),
      });
      await addAttachmentsToThread(engine, threadId, attachments, ownedBy(request.userId));
      const thread = await engine.getThread(threadId);
      if (thread) recordV1Messages(app, thread, request.userId, [message]);
      return message;
    },
  );

  app.get(
    '/threads/:thread_id/messages',
    {
      schema: {
        params: threadParams,
        querystring: v1ListQuerySchema.extend({ run_id: v1IdSchema.optional() }),
      },
    },
    async (request) =>
      listEnvelope(
        await engine.listMessagePage(request.params.thread_id, {
          ...toPageQuery(request.query),
          runId: request.query.run_id,
        }),
      ),
  );

  app.get(
    '/threads/:thread_id/messages/:message_id',
    { schema: { params: messageParams } },
    async (request) => engine.getMessage(request.params.thread_id, request.params.message_id),
  );

  app.post(
    '/threads/:thread_id/messages/:message_id',
    { schema: { params: messageParams, body: v1UpdateMetadataSchema } },
    async (request) =>
      engine.updateMessage(
        request.params.thread_id,
        request.params.message_id,
        request.body.metadata ?? null,
      ),
  );

  app.delete(
    '/threads/:thread_id/messages/:message_id',
    { schema: { params: messageParams } },
    async (request) => {
      await engine.deleteMessage(request.params.thread_id, request.params.message_id);
      return { id: request.params.message_id, object: 'thread.message.deleted' as const, deleted: true };
    },
  );
};
