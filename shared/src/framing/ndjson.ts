import type { AssistantStreamEvent } from '../assistants/events.js';
import { decodeEvent } from './decode-event.js';
import { FramingError } from './framing-error.js';

/**
 * One NDJSON line `{"event":…,"data":…}\n`: what openai-node's
 * `AssistantStream.fromReadableStream` reads (it ignores the final `done`, which tells other
 * readers that the stream ended cleanly).
 */
export function encodeNdjsonEvent(event: AssistantStreamEvent): string {
  return `${JSON.stringify({ event: event.event, data: event.data })}\n`;
}

export class NdjsonDecoder {
  private buffer = '';

  push(text: string): AssistantStreamEvent[] {
    this.buffer += text;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    return lines.flatMap((line) => this.decodeLine(line));
  }

  end(): AssistantStreamEvent[] {
    const rest = this.buffer;
    this.buffer = '';
    return this.decodeLine(rest);
  }

  private decodeLine(rawLine: string): AssistantStreamEvent[] {
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
    const dataText = typeof data === 'string' && event === 'done' ? data : JSON.stringify(data);
    return [decodeEvent(event, dataText, line)];
  }
}

export function decodeNdjson(text: string): AssistantStreamEvent[] {
  const decoder = new NdjsonDecoder();
  return [...decoder.push(text), ...decoder.end()];
}
