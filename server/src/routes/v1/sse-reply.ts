import type { AssistantStreamEvent } from '@threadline/shared';
import type { FastifyReply } from 'fastify';
import { untilAborted } from '../../common/index.js';
import { deliverRun, ShuttingDownError } from '../../run-logs/index.js';
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
  await deliverRun({
    reply,
    threadId: run.threadId,
    controller: new AbortController(),
    start: (signal) => untilShutdown(run.events, signal),
    log: { shared: server.runLogs, userId: run.userId },
    drain: server.streamDrain,
    errorEvent,
    follow: { framing: 'sse', heartbeatMs, isAnonymous: true, doneAfter: 'always' },
  });
}
