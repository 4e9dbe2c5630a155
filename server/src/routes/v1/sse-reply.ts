import type { AssistantStreamEvent } from '@threadline/shared';
import type { FastifyReply } from 'fastify';
import { untilAborted } from '../../common/index.js';
import { followLog } from '../../run-logs/index.js';
import { pumpRun } from '../../run-logs/index.js';
import { ShuttingDownError } from '../../run-logs/index.js';
import { toOpenAiError } from '../../http/index.js';

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

/**
 * Writes a streamed /v1 run as OpenAI's SSE wire format, ending with `event: done`. The run is a
 * run like any other: its events go to the thread's event log, so `GET /threads/:id/stream` can
 * follow it and `POST /threads/:id/cancel` stop it. A client that leaves stops its own reading
 * only: like OpenAI, the run carries on. A shutdown whose grace period runs out ends the stream
 * with an `error` event (the engine then cancels the run).
 */
export async function sendSse(
  reply: FastifyReply,
  run: { threadId: string; userId: string; events: AsyncIterable<AssistantStreamEvent> },
  heartbeatMs: number,
): Promise<void> {
  const server = reply.server;
  const controller = new AbortController();
  const pumped = pumpRun({
    threadId: run.threadId,
    signal: controller.signal,
    start: (signal) => untilShutdown(run.events, signal),
    openLog: () => server.runLogs.open(run.threadId, run.userId),
    logger: reply.log,
    errorEvent,
  });
  void server.streamDrain.track(pumped.finished, controller);
  const log = await pumped.log;
  await followLog({
    reply,
    log,
    after: 0,
    framing: 'sse',
    heartbeatMs,
    isAnonymous: true,
    doneAfter: 'always',
  });
}
