import { encodeSseEvent, type AssistantStreamEvent } from '@threadline/shared';
import type { FastifyReply } from 'fastify';
import { streamHead } from '../../orchestrator/event-stream-writer.js';
import { toOpenAiError } from './openai-error.js';

/**
 * Writes a run's events as OpenAI's SSE wire format, ending with `event: done`. A client that
 * leaves stops the relay only: like OpenAI, the run itself carries on.
 */
export async function sendSse(
  reply: FastifyReply,
  events: AsyncIterable<AssistantStreamEvent>,
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
  try {
    for (;;) {
      const next = await iterator.next();
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
