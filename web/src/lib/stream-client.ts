import {
  NdjsonDecoder,
  SseDecoder,
  type AssistantStreamEvent,
  type IdentifiedEvent,
} from '@threadline/shared';
import type { StreamFraming } from '../config/api.js';

type Decoder = { pushWithIds(text: string): IdentifiedEvent[]; endWithIds(): IdentifiedEvent[] };

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
  for await (const { event } of readIdentifiedEventStream(body, framing, signal)) yield event;
}

/** As readEventStream, each event with its id (Threadline's streams name every event's run and position). */
export async function* readIdentifiedEventStream(
  body: ReadableStream<Uint8Array>,
  framing: StreamFraming,
  signal?: AbortSignal,
): AsyncGenerator<IdentifiedEvent> {
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
        ? [...decoder.pushWithIds(text.decode()), ...decoder.endWithIds()]
        : decoder.pushWithIds(text.decode(value, { stream: true }));
      for (const item of events) {
        yield item;
        if (item.event.event === 'done') return;
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
