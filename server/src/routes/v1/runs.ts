import {
  v1CreateRunSchema,
  v1IdSchema,
  v1ListQuerySchema,
  v1RunQuerySchema,
  v1SubmitToolOutputsSchema,
  v1UpdateMetadataSchema,
} from '@threadline/shared';
import type { Message } from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { pollHeader } from './knowledge-objects.js';
import { hiddenThread } from './ownership.js';
import { listEnvelope } from '../../engines/index.js';
import { toPageQuery } from './list-envelope.js';
import { includesResultContent, requireText, toRunOptions } from './run-request.js';
import { replyWithRun } from './sse-reply.js';
import { recordV1Messages } from './v1-history.js';
import { addAttachmentsToThread, assertAttachments, toMessageAttachments } from './tool-resources.js';
import type { V1Options } from './v1-engine.js';

const threadParams = z.object({ thread_id: v1IdSchema });
const runParams = threadParams.extend({ run_id: v1IdSchema });
const stepParams = runParams.extend({ step_id: v1IdSchema });

/** `/v1/threads/:thread_id/runs`: create (streamed or not), list, get, update, cancel, tool outputs, steps. */
export const v1RunRoutes: FastifyPluginAsyncZod<V1Options> = async (app, { engine, heartbeatMs }) => {
  const threadOf = async (threadId: string) => {
    const thread = await engine.getThread(threadId);
    if (!thread) throw hiddenThread(threadId);
    return thread;
  };
  const ownedBy = (userId: string) => (vectorStoreId: string) =>
    app.ownership.record('vector_store', vectorStoreId, userId);
  // createAndPoll and friends wait this long between reads instead of their 5 s default.
  app.addHook('onRequest', async (_request, reply) => {
    void reply.headers(pollHeader);
  });
  app.post(
    '/threads/:thread_id/runs',
    { schema: { params: threadParams, body: v1CreateRunSchema, querystring: v1RunQuerySchema } },
    async (request, reply) => {
      const { thread_id: threadId } = request.params;
      const { additional_messages: additionalMessages, ...body } = request.body;
      const options = await toRunOptions(engine, body, request.query);
      const texts = (additionalMessages ?? []).map((message) => ({
        ...message,
        text: requireText(message.content),
      }));
      for (const message of texts) await assertAttachments(engine, message.attachments);
      const added: Message[] = [];
      for (const message of texts) {
        added.push(
          await engine.appendMessage(threadId, {
            role: message.role,
            content: message.text,
            metadata: message.metadata ?? null,
            attachments: toMessageAttachments(message.attachments),
          }),
        );
        await addAttachmentsToThread(engine, threadId, message.attachments, ownedBy(request.userId));
      }
      if (added.length > 0) recordV1Messages(app, await threadOf(threadId), request.userId, added);
      const { run, events } = await engine.startRun(threadId, options, true);
      const started = { threadId, userId: request.userId, run, events };
      return replyWithRun(reply, started, body.stream === true, heartbeatMs);
    },
  );

  app.get(
    '/threads/:thread_id/runs',
    { schema: { params: threadParams, querystring: v1ListQuerySchema } },
    async (request) =>
      listEnvelope(await engine.listRuns(request.params.thread_id, toPageQuery(request.query))),
  );

  app.get('/threads/:thread_id/runs/:run_id', { schema: { params: runParams } }, async (request) =>
    engine.getRun(request.params.thread_id, request.params.run_id),
  );

  app.post(
    '/threads/:thread_id/runs/:run_id',
    { schema: { params: runParams, body: v1UpdateMetadataSchema } },
    async (request) =>
      engine.updateRunMetadata(
        request.params.thread_id,
        request.params.run_id,
        request.body.metadata ?? null,
      ),
  );

  app.post('/threads/:thread_id/runs/:run_id/cancel', { schema: { params: runParams } }, async (request) =>
    engine.cancelRun(request.params.thread_id, request.params.run_id),
  );

  app.post(
    '/threads/:thread_id/runs/:run_id/submit_tool_outputs',
    { schema: { params: runParams, body: v1SubmitToolOutputsSchema } },
    async (request, reply) => {
      const { thread_id: threadId, run_id: runId } = request.params;
      const { run, events } = await engine.startToolOutputs(threadId, runId, request.body.tool_outputs, true);
      const started = { threadId, userId: request.userId, run, events };
      return replyWithRun(reply, started, request.body.stream === true, heartbeatMs);
    },
  );

  app.get(
    '/threads/:thread_id/runs/:run_id/steps',
    { schema: { params: runParams, querystring: v1ListQuerySchema.extend(v1RunQuerySchema.shape) } },
    async (request) =>
      listEnvelope(
        await engine.listSteps(
          request.params.thread_id,
          request.params.run_id,
          toPageQuery(request.query),
          includesResultContent(request.query),
        ),
      ),
  );

  app.get(
    '/threads/:thread_id/runs/:run_id/steps/:step_id',
    { schema: { params: stepParams, querystring: v1RunQuerySchema } },
    async (request) =>
      engine.getStep(
        request.params.thread_id,
        request.params.run_id,
        request.params.step_id,
        includesResultContent(request.query),
      ),
  );
};
