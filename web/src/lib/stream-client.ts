import { NdjsonDecoder, SseDecoder, type AssistantStreamEvent } from '@threadline/shared';
import type { StreamFraming } from '../config/api.js';

type Decoder = { push(text: string): AssistantStreamEvent[]; end(): AssistantStreamEvent[] };

export const decoderFor = (framing: StreamFraming): Decoder =>
  framing === 'sse' ? new SseDecoder() : new NdjsonDecoder();

/**
 * Reads a response body as Assistants events, validated by the shared decoders (they throw a
 * FramingError on a frame that is not a known event). Stops after `done`; a body that ends
 * without a terminal event is the caller's business (the run-outcome reducer calls it dropped).
 */
export async function* readEventStream(
  body: ReadableStream<Uint8Array>,
  framing: StreamFraming,
  signal?: AbortSignal,
): AsyncGenerator<AssistantStreamEvent> {
  const decoder = decoderFor(framing);
  const text = new TextDecoder();
  const reader = body.getReader();
  let isFinished = false;
  // Not every fetch implementation errors the body when its signal aborts; cancelling does.
  const cancel = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      const events = done
        ? [...decoder.push(text.decode()), ...decoder.end()]
        : decoder.push(text.decode(value, { stream: true }));
      for (const event of events) {
        yield event;
        if (event.event === 'done') return;
      }
      if (done) {
        isFinished = true;
        return;
      }
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    // Leaving early (after `done`, or the consumer stopped) must not leave the connection open.
    if (!isFinished) reader.cancel().catch(() => undefined);
  }
}
