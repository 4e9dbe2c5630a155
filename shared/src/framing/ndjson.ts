import type { AssistantStreamEvent } from '../assistants/events.js';
import { decodeEvent } from './decode-event.js';
import { FramingError } from './framing-error.js';
import type { EncodedEvent, IdentifiedEvent } from './sse.js';

/**
 * One NDJSON line `{"event":…,"data":…}\n`: what openai-node's
 * `AssistantStream.fromReadableStream` reads (it ignores the final `done`, which tells other
 * readers that the stream ended cleanly).
 */
export function encodeNdjsonEvent(event: AssistantStreamEvent): string {
  return `${JSON.stringify({ event: event.event, data: event.data })}\n`;
}

/**
 * One NDJSON line with its id first: `{"id":…,"event":…,"data":…}\n` (the same id an SSE frame
 * carries on its `id:` line; readers that only know `event` and `data` ignore it).
 */
export function encodeNdjsonFrame(frame: EncodedEvent): string {
  const head = frame.id === undefined ? '' : `"id":${JSON.stringify(frame.id)},`;
  return `{${head}"event":${JSON.stringify(frame.event)},"data":${frame.data}}\n`;
}

export class NdjsonDecoder {
  private buffer = '';

  push(text: string): AssistantStreamEvent[] {
    return this.pushWithIds(text).map((line) => line.event);
  }

  /** As `push`, each event with the `id` its line carried (null without one). */
  pushWithIds(text: string): IdentifiedEvent[] {
    this.buffer += text;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    return lines.flatMap((line) => this.decodeLine(line));
  }

  end(): AssistantStreamEvent[] {
    return this.endWithIds().map((line) => line.event);
  }

  endWithIds(): IdentifiedEvent[] {
    const rest = this.buffer;
    this.buffer = '';
    return this.decodeLine(rest);
  }

  private decodeLine(rawLine: string): IdentifiedEvent[] {
    const line = rawLine.trim();
    if (line === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new FramingError('NDJSON line is not JSON', line);
    }
    if (typeof value !== 'object' || value === null || !('event' in value) || !('data' in value)) {
      throw new FramingError('NDJSON line is not an {"event","data"} object', line);
    }
    const { event, data } = value;
    if (typeof event !== 'string') throw new FramingError('NDJSON "event" is not a string', line);
    const id = 'id' in value && typeof value.id === 'string' ? value.id : null;
    const dataText = typeof data === 'string' && event === 'done' ? data : JSON.stringify(data);
    return [{ event: decodeEvent(event, dataText, line), id }];
  }
}

export function decodeNdjson(text: string): AssistantStreamEvent[] {
  const decoder = new NdjsonDecoder();
  return [...decoder.push(text), ...decoder.end()];
}
