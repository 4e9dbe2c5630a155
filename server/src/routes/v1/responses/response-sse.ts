import type { FastifyReply } from 'fastify';
import { EventStreamWriter } from '../../../http/index.js';
import { watchDisconnect } from '../../../http/index.js';
import type { EncodedResponseEvent } from '../../../responses/index.js';

/**
 * Writes a response's events as OpenAI's Responses stream: `event: <type>` and `data: <json>`
 * per event, with heartbeat comments while idle, and no `[DONE]` line (the Responses stream ends
 * after its terminal event). A client that leaves stops its reading only; the run carries on.
 */
export async function sendResponseEvents(
  reply: FastifyReply,
  events: (signal: AbortSignal) => AsyncIterable<EncodedResponseEvent> | Iterable<EncodedResponseEvent>,
  heartbeatMs: number,
): Promise<FastifyReply> {
  const signal = watchDisconnect(reply.raw);
  reply.hijack();
  const writer = new EventStreamWriter(reply.raw, 'sse', heartbeatMs);
  writer.open(reply.getHeaders());
  try {
    for await (const event of events(signal)) {
      if (signal.aborted) break;
      const full = writer.sendEncoded({ event: event.type, data: event.data });
      if (full) await full;
    }
  } catch (error) {
    reply.log.error({ err: error }, 'a response stream failed');
    void writer.sendEncoded({
      event: 'error',
      data: JSON.stringify({
        type: 'error',
        code: 'server_error',
        message: 'The stream failed.',
        param: null,
      }),
    });
  } finally {
    // "Not clean" to the writer only means: no `done` event, which the Responses stream has not.
    writer.end({ isClean: false });
  }
  return reply;
}
