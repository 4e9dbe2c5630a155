import {
  apiPaths,
  chatRequestSchema,
  errorBodySchema,
  modelListSchema,
  threadIdHeader,
  toolOutputsRequestSchema,
  type AssistantStreamEvent,
  type TranscriptMessage,
} from '@threadline/shared';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../../config.js';
import { AdmissionGate } from '../../orchestrator/admission-gate.js';
import { framingFor, ndjsonMediaType } from '../../orchestrator/event-stream-writer.js';
import { relayRun } from '../../orchestrator/relay-run.js';
import { ThreadSerialiser } from '../../orchestrator/thread-serialiser.js';
import { isClientGone, watchDisconnect } from '../../orchestrator/watch-disconnect.js';
import { threadOwnerKey } from '../legacy/legacy-routes.js';
import { compareTitlePrefix, defaultThreadTitle } from '../../persistence/thread-text.js';
import type { ThreadRecord } from '../../persistence/transcript-recorder.js';
import { changesStores, searchedStores } from './searched-stores.js';
import { findOwnedThread } from './thread-access.js';

const errorResponses = {
  400: errorBodySchema,
  401: errorBodySchema,
  404: errorBodySchema,
  429: errorBodySchema,
};
const streamDescription = `Server-Sent Events of Assistants events ending with \`done\`; NDJSON with \`Accept: ${ndjsonMediaType}\`.`;

/** `/chat/stream`, `/chat/tool-outputs` and `/models`: Threadline's own chat API. */
export const chatRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  const serialiser = new ThreadSerialiser((threadId) => app.engine.cancelActiveRuns(threadId));
  // On shutdown, running answers get the grace period to finish; the rest end cancelled.
  const drain = app.streamDrain;
  const gate = new AdmissionGate();

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

  const stream = (
    request: FastifyRequest,
    reply: FastifyReply,
    input: {
      threadId: string;
      isDisconnected: () => boolean;
      signal: AbortSignal;
      preface?: AssistantStreamEvent[];
      start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
    },
  ) =>
    relayRun({
      reply,
      framing: framingFor(request.headers.accept),
      heartbeatMs: config.HEARTBEAT_MS,
      headers: { [threadIdHeader]: input.threadId },
      onFinish: (message) => record(message, request.userId),
      ...input,
    });

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
      // One controller per stream: the client leaving, a newer send and shutdown all abort it.
      const controller = new AbortController();
      const signal = watchDisconnect(reply.raw, controller);
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
        signal,
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
        await drain.track(
          stream(request, reply, {
            threadId,
            preface,
            isDisconnected: () => isClientGone(signal),
            signal,
            start: (signal) => app.engine.streamRun(threadId, runOptions, signal),
          }),
          controller,
        );
      } finally {
        turn.release();
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
      const controller = new AbortController();
      const signal = watchDisconnect(reply.raw, controller);
      await findOwnedThread(app, threadId, request.userId);
      const turn = await serialiser.acquire(threadId, { settleActiveRuns: false, controller });
      try {
        await drain.track(
          stream(request, reply, {
            threadId,
            isDisconnected: () => isClientGone(signal),
            signal,
            start: (signal) => app.engine.submitToolOutputs(threadId, runId, toolOutputs, signal),
          }),
          controller,
        );
      } finally {
        turn.release();
      }
      return reply;
    },
  );

  app.get(
    apiPaths.models,
    { schema: { tags: ['chat'], summary: "The engine's models", response: { 200: modelListSchema } } },
    async () => ({ data: await app.engine.listModels() }),
  );
};
