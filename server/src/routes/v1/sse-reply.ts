import type { AssistantStreamEvent, Run, TranscriptMessage } from '@threadline/shared';
import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { untilAborted } from '../../common/index.js';
import { toOpenAiError } from '../../http/index.js';
import {
  deliverRun,
  ShuttingDownError,
  startRun,
  type PumpedRun,
  type StreamOutcome,
} from '../../run-logs/index.js';

/** Stops at a shutdown whose grace period ran out, as an error the stream then reports. */
async function* untilShutdown(
  events: AsyncIterable<AssistantStreamEvent>,
  signal: AbortSignal,
): AsyncIterable<AssistantStreamEvent> {
  yield* untilAborted(events, signal);
  if (signal.aborted) throw new ShuttingDownError();
}

const errorEvent = (error: unknown): AssistantStreamEvent => {
  if (error instanceof ShuttingDownError)
    return { event: 'error', data: { code: 'server_shutting_down', message: 'the server is shutting down' } };
  const { body } = toOpenAiError(error);
  return { event: 'error', data: { code: body.error.code, message: body.error.message } };
};

/** What a /v1 run needs to start: its thread, its user, its events; and what its end means. */
export type V1Run = {
  threadId: string;
  userId: string;
  events: AsyncIterable<AssistantStreamEvent>;
  /** False for a run whose answer must not be kept (a response with `store: false`). */
  isRecorded?: boolean;
  /** Called once when the run has ended, however it ended (after the history has its answer). */
  onFinish?: (outcome: StreamOutcome) => void;
};

/** A /v1 run as every run is started: into its thread's log, its answer recorded in the history. */
const v1RunOptions = (server: FastifyInstance, run: V1Run) => ({
  threadId: run.threadId,
  controller: new AbortController(),
  start: (signal: AbortSignal) => untilShutdown(run.events, signal),
  log: { shared: server.runLogs, userId: run.userId },
  drain: server.streamDrain,
  errorEvent,
  onFinish: (message: TranscriptMessage | null, outcome: StreamOutcome) => {
    if (message && run.isRecorded !== false)
      server.recorder.recordMessage({ ...message, userId: run.userId });
    run.onFinish?.(outcome);
  },
});

/**
 * Starts reading a /v1 run into its thread's event log, so `GET /threads/:id/stream` can follow it
 * and `POST /threads/:id/cancel` stop it, whether or not anyone reads it now; when it ends, its
 * answer goes into the history (the transcript store) as a chat run's does.
 */
export function pumpV1Run(
  server: FastifyInstance,
  run: V1Run,
  logger: FastifyBaseLogger = server.log,
): PumpedRun {
  return startRun({ ...v1RunOptions(server, run), logger });
}

/**
 * Writes a streamed /v1 run as OpenAI's SSE wire format, ending with `event: done`. The run is a
 * run like any other (see pumpV1Run). A client that leaves stops its own reading only: like
 * OpenAI, the run carries on. A shutdown whose grace period runs out ends the stream with an
 * `error` event (the engine then cancels the run).
 */
export async function sendSse(reply: FastifyReply, run: V1Run, heartbeatMs: number): Promise<void> {
  await deliverRun({
    ...v1RunOptions(reply.server, run),
    reply,
    follow: { framing: 'sse', heartbeatMs, isAnonymous: true, doneAfter: 'always' },
  });
}

/**
 * A started /v1 run's answer: its stream (`stream: true`), or the run object at once while the run
 * carries on into its log and the history. `events` is the run's whole stream (subscribed at start).
 */
export async function replyWithRun(
  reply: FastifyReply,
  started: { threadId: string; userId: string; run: Run; events: AsyncIterable<AssistantStreamEvent> | null },
  isStream: boolean,
  heartbeatMs: number,
): Promise<Run | FastifyReply> {
  const run = { threadId: started.threadId, userId: started.userId, events: started.events ?? noEvents() };
  if (isStream) {
    await sendSse(reply, run, heartbeatMs);
    return reply;
  }
  pumpV1Run(reply.server, run, reply.log);
  return started.run;
}

async function* noEvents(): AsyncIterable<AssistantStreamEvent> {}
