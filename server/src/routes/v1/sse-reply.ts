import { encodeSseEvent, type AssistantStreamEvent } from '@threadline/shared';
import type { FastifyReply } from 'fastify';
import { streamHead } from '../../orchestrator/event-stream-writer.js';
import { toOpenAiError } from './openai-error.js';

/**
 * Writes a run's events as OpenAI's SSE wire format, ending with `event: done`. A client that
 * leaves stops the relay only: like OpenAI, the run itself carries on. A shutdown whose grace
 * period runs out ends the relay with an `error` event (the engine then cancels the run).
 */
export async function sendSse(
  reply: FastifyReply,
  events: AsyncIterable<AssistantStreamEvent>,
): Promise<void> {
  const controller = new AbortController();
  const relay = relayEvents(reply, events, controller.signal);
  const server = reply.server;
  await (server.hasDecorator('streamDrain') ? server.streamDrain.track(relay, controller) : relay);
}

async function relayEvents(
  reply: FastifyReply,
  events: AsyncIterable<AssistantStreamEvent>,
  shutdown: AbortSignal,
): Promise<void> {
  reply.hijack();
  const response = reply.raw;
  response.writeHead(200, streamHead('sse', reply.getHeaders()));
  const iterator = events[Symbol.asyncIterator]();
  let isClosed = false;
  response.on('close', () => {
    isClosed = true;
    void iterator.return?.();
  });
  const stopped = new Promise<'stopped'>((resolve) =>
    shutdown.addEventListener('abort', () => resolve('stopped'), { once: true }),
  );
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), stopped]);
      if (next === 'stopped') {
        void iterator.return?.();
        if (!isClosed) {
          const data = { code: 'server_shutting_down', message: 'the server is shutting down' };
          response.write(encodeSseEvent({ event: 'error', data }));
        }
        break;
      }
      if (next.done || isClosed) break;
      response.write(encodeSseEvent(next.value));
    }
  } catch (error) {
    const { body } = toOpenAiError(error);
    if (!isClosed)
      response.write(
        encodeSseEvent({ event: 'error', data: { code: body.error.code, message: body.error.message } }),
      );
  }
  if (!isClosed) response.end(encodeSseEvent({ event: 'done', data: '[DONE]' }));
}
