import {
  apiPaths,
  chatRequestSchema,
  errorBodySchema,
  lastEventIdHeader,
  modelListSchema,
  streamEventIdSchema,
  threadCancelResultSchema,
  threadIdHeader,
  threadParamsSchema,
  threadStreamQuerySchema,
  toolOutputsRequestSchema,
  type AssistantStreamEvent,
  type TranscriptMessage,
} from '@threadline/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { notFound } from '../../http/index.js';
import type { Config } from '../../config.js';
import { AdmissionGate } from '../../conversations/index.js';
import { framingFor, ndjsonMediaType } from '../../http/index.js';
import { followLog } from '../../run-logs/index.js';
import { pumpRun } from '../../run-logs/index.js';
import { ThreadSerialiser, type ThreadTurn } from '../../conversations/index.js';
import { watchDisconnect } from '../../http/index.js';
import { threadOwnerKey } from '../../ownership/index.js';
import { compareTitlePrefix, defaultThreadTitle } from '../../transcripts/index.js';
import type { ThreadRecord } from '../../transcripts/index.js';
import { changesStores, searchedStores } from '../../conversations/index.js';
import { findOwnedThread } from '../../ownership/index.js';

const errorResponses = {
  400: errorBodySchema,
  401: errorBodySchema,
  404: errorBodySchema,
  429: errorBodySchema,
};
const streamDescription = `Server-Sent Events of Assistants events ending with \`done\`; NDJSON with \`Accept: ${ndjsonMediaType}\`.`;

/**
 * `/chat/stream`, `/chat/tool-outputs`, `/threads/:id/stream`, `/threads/:id/cancel` and `/models`:
 * Threadline's own chat API. A run belongs to its thread: its events go to a log (RunLogs) that
 * the request that started it and any number of later readers follow.
 */
export const chatRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  const serialiser = new ThreadSerialiser(
    (threadId) => app.engine.cancelActiveRuns(threadId),
    app.threadLocks,
  );
  // On shutdown, running answers get the grace period to finish; the rest end cancelled.
  const drain = app.streamDrain;
  const gate = new AdmissionGate();
  const logs = app.runLogs;
  const isLeaveCancelling = config.ON_CLIENT_LEAVE === 'cancel';

  const record = (message: TranscriptMessage | null, userId: string) => {
    if (message) app.recorder.recordMessage({ ...message, userId });
  };

  /**
   * Waits for the thread's turn (cancelling the run in progress), then appends the user message.
   * A thread this send has just created has no run to settle: asking the engine would cost a
   * query (local) or an upstream round trip (assistants) before the first event, for nothing.
   */
  const appendInTurn = async (
    threadId: string,
    content: string,
    controller: AbortController,
    isNewThread: boolean,
  ) => {
    const turn = await serialiser.acquire(threadId, { controller, settleActiveRuns: !isNewThread });
    try {
      return { turn, userMessage: await app.engine.appendMessage(threadId, { content }) };
    } catch (error) {
      turn.release();
      throw error;
    }
  };

  /**
   * Starts the run into the thread's log (it keeps the turn until the run has ended, whoever is
   * reading) and streams that log to this client. The engine's first event is awaited before any
   * header is written, so a run that fails at once answers with the error shape. Under
   * ON_CLIENT_LEAVE=cancel the client leaving stops the run, as it did before runs had logs.
   */
  const runAndFollow = async (
    request: FastifyRequest,
    reply: FastifyReply,
    input: {
      threadId: string;
      turn: ThreadTurn;
      controller: AbortController;
      preface?: AssistantStreamEvent[];
      start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
    },
  ) => {
    const { threadId, controller } = input;
    const run = pumpRun({
      threadId,
      signal: controller.signal,
      start: input.start,
      openLog: () => logs.open(threadId, request.userId),
      logger: request.log,
      onFinish: (message) => record(message, request.userId),
      ...(input.preface ? { preface: input.preface } : {}),
    });
    void drain.track(run.finished, controller).finally(input.turn.release);
    const log = await run.log;
    await followLog({
      reply,
      log,
      after: 0,
      framing: framingFor(request.headers.accept),
      heartbeatMs: config.HEARTBEAT_MS,
      headers: { [threadIdHeader]: threadId },
      isAnnounced: true,
      onLeave: () =>
        reply.log.info(
          { threadId },
          isLeaveCancelling
            ? 'client left mid-stream; run cancelled'
            : 'client left mid-stream; run continues',
        ),
    });
  };

  /** One controller per run: Stop, a newer send, shutdown and (if so configured) the client leaving. */
  const runController = (reply: FastifyReply) => {
    const controller = new AbortController();
    if (isLeaveCancelling) watchDisconnect(reply.raw, controller);
    return controller;
  };

  app.post(
    apiPaths.chatStream,
    {
      schema: {
        tags: ['chat'],
        summary: 'Send a message and stream the run',
        description: streamDescription,
        body: chatRequestSchema,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      // Usually undefined (start now): no await, so no extra turn of the microtask queue.
      const admission = gate.admit();
      if (admission) await admission;
      const body = request.body;
      // Before anything is created: another user's store answers like a missing one.
      app.knowledgeFor(request.userId).assertVectorStores(body.vectorStoreIds ?? []);
      const controller = runController(reply);
      const preface: AssistantStreamEvent[] = [];
      let threadId: string;
      /** A thread this send creates (or whose stores it changes): journaled with the user message. */
      let newThread: ThreadRecord | undefined;
      let threadChange: ThreadRecord | undefined;
      const existing = body.threadId ? await findOwnedThread(app, body.threadId, request.userId) : null;
      const vectorStoreIds = await searchedStores(app, {
        userId: request.userId,
        requested: body.vectorStoreIds,
        thread: existing,
        signal: controller.signal,
      });
      const now = new Date().toISOString();
      if (existing) {
        threadId = existing.id;
        if (changesStores(existing, vectorStoreIds)) {
          // title '' keeps the thread's title; the history then shows what it searches now.
          threadChange = {
            id: threadId,
            userId: request.userId,
            title: '',
            engine: app.engine.name,
            vectorStoreIds: vectorStoreIds ?? [],
            createdAt: now,
            updatedAt: now,
          };
        }
      } else {
        const thread = await app.engine.createThread({
          vectorStoreIds,
          metadata: { [threadOwnerKey]: request.userId },
        });
        threadId = thread.id;
        preface.push({ event: 'thread.created', data: thread });
        const title = defaultThreadTitle(body.content);
        newThread = {
          id: thread.id,
          userId: request.userId,
          title: body.origin === 'compare' ? `${compareTitlePrefix}${title}` : title,
          engine: app.engine.name,
          vectorStoreIds: vectorStoreIds ?? thread.tool_resources?.file_search?.vector_store_ids ?? [],
          createdAt: now,
          updatedAt: now,
        };
      }

      const { turn, userMessage } = await appendInTurn(threadId, body.content, controller, !!newThread).catch(
        (error: unknown) => {
          // The engine made the thread but took no message: keep the (empty) thread in the history.
          if (newThread) app.recorder.recordThread(newThread);
          throw error;
        },
      );
      let isStarted = false;
      try {
        app.recorder.recordTurn({
          thread: newThread ?? threadChange,
          message: {
            id: userMessage.id,
            threadId,
            role: 'user',
            text: body.content,
            citations: [],
            runId: null,
            runStatus: null,
            model: null,
            usage: null,
            // Arrival time in ms (the engine's is whole seconds) keeps question before answer.
            createdAt: new Date().toISOString(),
            completedAt: null,
            userId: request.userId,
          },
        });
        const runOptions = {
          model: body.model,
          instructions: body.instructions,
          vectorStoreIds,
          tools: body.tools,
        };
        const following = runAndFollow(request, reply, {
          threadId,
          turn,
          controller,
          preface,
          start: (signal) => app.engine.streamRun(threadId, runOptions, signal),
        });
        isStarted = true;
        await following;
      } finally {
        // Once started, the run releases the turn itself when it ends.
        if (!isStarted) turn.release();
      }
      return reply;
    },
  );

  app.post(
    apiPaths.chatToolOutputs,
    {
      schema: {
        tags: ['chat'],
        summary: 'Submit function tool outputs and stream the continued run',
        description: streamDescription,
        body: toolOutputsRequestSchema,
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const admission = gate.admit();
      if (admission) await admission;
      const { threadId, runId, toolOutputs } = request.body;
      const controller = runController(reply);
      await findOwnedThread(app, threadId, request.userId);
      const turn = await serialiser.acquire(threadId, { settleActiveRuns: false, controller });
      await runAndFollow(request, reply, {
        threadId,
        turn,
        controller,
        start: (signal) => app.engine.submitToolOutputs(threadId, runId, toolOutputs, signal),
      });
      return reply;
    },
  );

  /**
   * Whether `userId` may follow or stop the thread's run: the thread is theirs in the history,
   * or (a thread made through /v1, which has no history) they started its run.
   */
  const assertFollowable = async (threadId: string, userId: string) => {
    if ((await logs.ownerOf(threadId)) === userId) return;
    if ((await app.recorder.findThreadOwner(threadId)) !== userId) throw notFound('Thread');
  };

  app.get(
    `${apiPaths.threads}/:id/stream`,
    {
      schema: {
        tags: ['chat'],
        summary: "Follow the thread's run: replay after an event id, then live to its end",
        description: `${streamDescription} Every event carries an id (SSE \`id:\` line, NDJSON \`id\` field) naming its run and position. With \`Last-Event-ID\` (or \`after\`) the stream replays what came after that event and continues live; without one it replays the run in progress from its start. 204 when no run is in progress and nothing came after the id; 410 when the events after the id are no longer kept.`,
        params: threadParamsSchema,
        querystring: threadStreamQuerySchema,
        headers: z.looseObject({ [lastEventIdHeader]: streamEventIdSchema.optional() }),
        response: { 204: z.null(), ...errorResponses, 410: errorBodySchema },
      },
    },
    async (request, reply) => {
      const threadId = request.params.id;
      const header = request.headers[lastEventIdHeader];
      const cursor = typeof header === 'string' ? header : request.query.after;
      await assertFollowable(threadId, request.userId);
      const target = await logs.find(threadId, cursor);
      if (!target) return reply.code(204).send(null);
      await followLog({
        reply,
        ...target,
        framing: framingFor(request.headers.accept),
        heartbeatMs: config.HEARTBEAT_MS,
        headers: { [threadIdHeader]: threadId },
      });
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
        response: { 200: threadCancelResultSchema, ...errorResponses },
      },
    },
    async (request) => {
      const threadId = request.params.id;
      await assertFollowable(threadId, request.userId);
      const running = await logs.inProgress(threadId);
      // The run may execute on another instance (REDIS_URL): it stops there too.
      await app.threadLocks.stopElsewhere(threadId);
      const hadTurn = await serialiser.stop(threadId);
      // Runs started elsewhere (through /v1) are the engine's to stop; their logs end with them.
      await app.engine.cancelActiveRuns(threadId);
      await running?.ended;
      return { threadId, cancelled: hadTurn || running !== undefined };
    },
  );

  app.get(
    apiPaths.models,
    { schema: { tags: ['chat'], summary: "The engine's models", response: { 200: modelListSchema } } },
    async () => ({ data: await app.engine.listModels() }),
  );
};
