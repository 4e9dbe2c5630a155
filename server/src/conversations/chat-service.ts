import type { AssistantStreamEvent, ChatRequest, ToolOutputsRequest } from '@threadline/shared';
import { threadIdHeader } from '@threadline/shared';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import type { Config } from '../config.js';
import type { Engine } from '../engines/index.js';
import { framingFor, notFound, watchDisconnect } from '../http/index.js';
import type { DefaultKnowledge, OwnedKnowledge } from '../knowledge/index.js';
import { findOwnedThread, threadOwnerKey, type Ownership } from '../ownership/index.js';
import {
  deliverRun,
  followLog,
  type RunDirectory,
  type StreamDrain,
  type ThreadLocks,
} from '../run-logs/index.js';
import type { ThreadRecord, TranscriptRecorder } from '../transcripts/index.js';
import { AdmissionGate } from './admission-gate.js';
import { changesStores, searchedStores } from './searched-stores.js';
import { ThreadSerialiser, type ThreadTurn } from './thread-serialiser.js';
import { newThreadRecord, storesChangeRecord, userMessageRecord } from './turn-records.js';

export type ChatServiceDependencies = {
  engine: Engine;
  runLogs: RunDirectory;
  threadLocks: ThreadLocks;
  streamDrain: StreamDrain;
  recorder: TranscriptRecorder;
  ownership: Pick<Ownership, 'canSee' | 'ownerOf' | 'record'>;
  knowledgeFor: (userId: string) => OwnedKnowledge;
  defaultKnowledge: DefaultKnowledge;
  config: Pick<Config, 'HEARTBEAT_MS' | 'ON_CLIENT_LEAVE'>;
};

/** Who asks and where the answer goes: the request's user and its reply (streamed to). */
export type ChatCaller = { userId: string; reply: FastifyReply; accept: string | undefined };

export type ChatService = {
  /** `POST /chat/stream`: one whole turn, streamed to the caller. */
  /**
   * `isSpoken`: the question is a transcript of the user's voice; its message is marked
   * (`metadata.spoken`) and streamed first, as `thread.message.created`, before the answer.
   */
  send(caller: ChatCaller, body: ChatRequest, options?: { isSpoken?: boolean }): Promise<void>;
  /** `POST /chat/tool-outputs`: continues a run that asked for function outputs. */
  submitToolOutputs(caller: ChatCaller, body: ToolOutputsRequest): Promise<void>;
  /** `GET /threads/:id/stream`: replays after `cursor`, then live; false when there is nothing. */
  follow(caller: ChatCaller, threadId: string, cursor: string | undefined): Promise<boolean>;
  /** `POST /threads/:id/cancel`: stops the thread's run wherever it runs; whether there was one. */
  stop(userId: string, threadId: string): Promise<boolean>;
};

/**
 * A conversation's turn, whole: admit (a burst of sends queues instead of starving the loop), check
 * the thread and stores are the caller's, choose the stores searched, take the thread's turn
 * (cancelling the run in progress, across instances), append the question, run the engine into
 * the thread's run log, follow it to this client, and record question and answer.
 */
export function createChatService(deps: ChatServiceDependencies): ChatService {
  const { engine, runLogs: logs, recorder, ownership } = deps;
  const serialiser = new ThreadSerialiser((threadId) => engine.cancelActiveRuns(threadId), deps.threadLocks);
  const gate = new AdmissionGate();
  const isLeaveCancelling = deps.config.ON_CLIENT_LEAVE === 'cancel';

  const admit = async () => {
    // Usually undefined (start now): no await, so no extra turn of the microtask queue.
    const admission = gate.admit();
    if (admission) await admission;
  };

  /** One controller per run: Stop, a newer send, shutdown and (if so configured) the client leaving. */
  const runController = (reply: FastifyReply) => {
    const controller = new AbortController();
    if (isLeaveCancelling) watchDisconnect(reply.raw, controller);
    return controller;
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
    isNew: boolean,
    metadata?: Record<string, string>,
  ) => {
    const turn = await serialiser.acquire(threadId, { controller, settleActiveRuns: !isNew });
    try {
      return {
        turn,
        userMessage: await engine.appendMessage(threadId, metadata ? { content, metadata } : { content }),
      };
    } catch (error) {
      turn.release();
      throw error;
    }
  };

  /**
   * Starts the run into the thread's log (it keeps the turn until the run has ended, whoever is
   * reading) and streams that log to this client. Under ON_CLIENT_LEAVE=cancel the client leaving
   * stops the run, as it did before runs had logs.
   */
  const runAndFollow = (
    caller: ChatCaller,
    input: {
      threadId: string;
      turn: ThreadTurn;
      controller: AbortController;
      preface?: AssistantStreamEvent[];
      start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
    },
  ) => {
    const { threadId } = input;
    const { reply } = caller;
    const log: FastifyBaseLogger = reply.log;
    return deliverRun({
      reply,
      threadId,
      controller: input.controller,
      start: input.start,
      log: { shared: logs, userId: caller.userId },
      drain: deps.streamDrain,
      ...(input.preface ? { preface: input.preface } : {}),
      onFinish: (message) => {
        if (message) recorder.recordMessage({ ...message, userId: caller.userId });
      },
      onRunEnded: input.turn.release,
      follow: {
        framing: framingFor(caller.accept),
        heartbeatMs: deps.config.HEARTBEAT_MS,
        headers: { [threadIdHeader]: threadId },
        isAnnounced: true,
        onLeave: () =>
          log.info(
            { threadId },
            isLeaveCancelling
              ? 'client left mid-stream; run cancelled'
              : 'client left mid-stream; run continues',
          ),
      },
    });
  };

  /**
   * Whether `userId` may follow or stop the thread's run (a run is its thread's): the thread is
   * theirs under the one rule. The thread is not looked up in the engine (it may run on another
   * instance's), so a thread no one owns — a missing one — is a 404 here for everyone.
   */
  const assertFollowable = async (threadId: string, userId: string) => {
    if ((await ownership.ownerOf('thread', threadId)) !== userId) throw notFound('Thread');
  };

  return {
    async send(caller, body, options = {}) {
      await admit();
      const { userId } = caller;
      // Before anything is created: another user's store answers like a missing one.
      await deps.knowledgeFor(userId).assertVectorStores(body.vectorStoreIds ?? []);
      const controller = runController(caller.reply);
      const existing = body.threadId
        ? await findOwnedThread({ engine, ownership }, body.threadId, userId)
        : null;
      const vectorStoreIds = await searchedStores(
        { defaultKnowledge: deps.defaultKnowledge, knowledgeFor: deps.knowledgeFor },
        { userId, requested: body.vectorStoreIds, thread: existing, signal: controller.signal },
      );
      const preface: AssistantStreamEvent[] = [];
      let threadId: string;
      /** A thread this send creates (or whose stores it changes): journaled with the user message. */
      let threadRecord: ThreadRecord | undefined;
      if (existing) {
        threadId = existing.id;
        if (changesStores(existing, vectorStoreIds))
          threadRecord = storesChangeRecord({
            threadId,
            userId,
            engine: engine.name,
            vectorStoreIds: vectorStoreIds ?? [],
          });
      } else {
        const thread = await engine.createThread({ vectorStoreIds, metadata: { [threadOwnerKey]: userId } });
        await ownership.record('thread', thread.id, userId);
        threadId = thread.id;
        preface.push({ event: 'thread.created', data: thread });
        threadRecord = newThreadRecord({
          thread,
          userId,
          engine: engine.name,
          content: body.content,
          origin: body.origin,
          vectorStoreIds,
        });
      }
      const isNew = !existing;
      const spoken = options.isSpoken ? { spoken: 'true' } : undefined;
      const { turn, userMessage } = await appendInTurn(
        threadId,
        body.content,
        controller,
        isNew,
        spoken,
      ).catch((error: unknown) => {
        // The engine made the thread but took no message: keep the (empty) thread in the history.
        if (isNew && threadRecord) recorder.recordThread(threadRecord);
        throw error;
      });
      if (options.isSpoken) preface.push({ event: 'thread.message.created', data: userMessage });
      let isStarted = false;
      try {
        recorder.recordTurn({
          thread: threadRecord,
          message: userMessageRecord({ messageId: userMessage.id, threadId, userId, text: body.content }),
        });
        const runOptions = {
          model: body.model,
          instructions: body.instructions,
          vectorStoreIds,
          tools: body.tools,
        };
        const following = runAndFollow(caller, {
          threadId,
          turn,
          controller,
          preface,
          start: (signal) => engine.streamRun(threadId, runOptions, signal),
        });
        isStarted = true;
        await following;
      } finally {
        // Once started, the run releases the turn itself when it ends.
        if (!isStarted) turn.release();
      }
    },

    async submitToolOutputs(caller, { threadId, runId, toolOutputs }) {
      await admit();
      const controller = runController(caller.reply);
      await findOwnedThread({ engine, ownership }, threadId, caller.userId);
      const turn = await serialiser.acquire(threadId, { settleActiveRuns: false, controller });
      await runAndFollow(caller, {
        threadId,
        turn,
        controller,
        start: (signal) => engine.submitToolOutputs(threadId, runId, toolOutputs, signal),
      });
    },

    async follow(caller, threadId, cursor) {
      await assertFollowable(threadId, caller.userId);
      const target = await logs.find(threadId, cursor);
      if (!target) return false;
      await followLog({
        reply: caller.reply,
        ...target,
        framing: framingFor(caller.accept),
        heartbeatMs: deps.config.HEARTBEAT_MS,
        headers: { [threadIdHeader]: threadId },
      });
      return true;
    },

    async stop(userId, threadId) {
      await assertFollowable(threadId, userId);
      const running = await logs.inProgress(threadId);
      // The run may execute on another instance (REDIS_URL): it stops there too.
      await deps.threadLocks.stopElsewhere(threadId);
      const hadTurn = await serialiser.stop(threadId);
      // Runs started elsewhere (through /v1) are the engine's to stop; their logs end with them.
      await engine.cancelActiveRuns(threadId);
      await running?.ended;
      return hadTurn || running !== undefined;
    },
  };
}
