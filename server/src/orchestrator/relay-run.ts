import type { AssistantStreamEvent, TranscriptMessage } from '@threadline/shared';
import type { FastifyReply } from 'fastify';
import { toErrorBody } from '../errors/to-error-body.js';
import { EventStreamWriter, type StreamFraming } from './event-stream-writer.js';
import { TranscriptAccumulator, type StreamOutcome } from './transcript-accumulator.js';

export type RelayOptions = {
  reply: FastifyReply;
  framing: StreamFraming;
  heartbeatMs: number;
  /** Aborts the engine call: client gone, or a newer send took the thread over. */
  signal: AbortSignal;
  /** Whether the client is gone (as opposed to the run being superseded). */
  isDisconnected: () => boolean;
  /** Sent before the engine's events, e.g. `thread.created` for a thread made by this request. */
  preface?: AssistantStreamEvent[];
  headers?: Record<string, string>;
  threadId: string;
  start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
  /** Called once when the run's stream ends, however it ends; null when no run began. */
  onFinish?: (message: TranscriptMessage | null, outcome: StreamOutcome) => void;
};

/**
 * Streams one engine run to the client. The first event is awaited before any header is
 * written, so an engine that fails at once gets the error shape with its real status (a 429
 * keeps Retry-After); a failure after that becomes one final `error` event and a clean close.
 * When the client leaves, the engine call is aborted and its remaining (cancellation) events
 * are still drained, so the partial answer can be recorded.
 */
export async function relayRun(options: RelayOptions): Promise<void> {
  const { reply, signal } = options;
  // Once aborted, a client that stopped reading must not hold the thread hostage: the few
  // cancellation events left are buffered instead of waiting for its socket to drain.
  // Made on the first wait only: most streams never wait on a full socket buffer.
  let aborted: Promise<void> | undefined;
  const settle = async (pending: Promise<void> | undefined) => {
    if (!pending) return;
    aborted ??= new Promise<void>((resolve) =>
      signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true }),
    );
    await Promise.race([pending, aborted]);
  };
  const accumulator = new TranscriptAccumulator();
  const iterator = options.start(signal)[Symbol.asyncIterator]();
  const finish = (outcome: StreamOutcome) =>
    options.onFinish?.(accumulator.toTranscriptMessage(options.threadId, outcome), outcome);

  let first: IteratorResult<AssistantStreamEvent>;
  try {
    first = await iterator.next();
  } catch (error) {
    finish(options.isDisconnected() ? 'disconnected' : 'failed');
    throw error;
  }

  reply.hijack();
  const writer = new EventStreamWriter(reply.raw, options.framing, options.heartbeatMs);
  // getHeaders() is already a copy of the reply's headers: the stream's own go straight onto it.
  // Logged once the first frames have left, not on their way.
  writer.open(Object.assign(reply.getHeaders(), options.headers), () =>
    reply.log.info({ threadId: options.threadId }, 'stream started'),
  );
  for (const event of options.preface ?? []) {
    const pending = writer.send(event);
    if (pending) await settle(pending);
  }

  let outcome: StreamOutcome = 'ended';
  try {
    for (let next = first; !next.done; next = await iterator.next()) {
      accumulator.push(next.value);
      const pending = writer.send(next.value);
      if (pending) await settle(pending);
    }
  } catch (error) {
    outcome = 'failed';
    const { body, isServerFault } = toErrorBody(error);
    if (isServerFault) reply.log.error({ err: error }, 'engine failed mid-stream');
    const event: AssistantStreamEvent = { event: 'error', data: { code: body.code, message: body.message } };
    accumulator.push(event);
    await settle(writer.send(event));
  } finally {
    if (options.isDisconnected()) {
      outcome = 'disconnected';
      // The response never finishes, so there is no `request completed` line to say so.
      reply.log.info({ threadId: options.threadId }, 'client left mid-stream; run cancelled');
    }
    finish(outcome);
    writer.end({ isClean: outcome === 'ended' });
  }
}
