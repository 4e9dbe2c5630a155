import type { AssistantStreamEvent } from '../assistants/events.js';
import { decodeEvent } from './decode-event.js';
import { FramingError } from './framing-error.js';

const lineBreak = /\r\n|\r|\n/;

/** One SSE frame: `event: <name>\ndata: <json>\n\n`. `done` carries the literal `[DONE]`. */
export function encodeSseEvent(event: AssistantStreamEvent): string {
  if (lineBreak.test(event.event)) throw new FramingError('event names never contain CR/LF', event.event);
  const data = event.event === 'done' ? '[DONE]' : JSON.stringify(event.data);
  return `event: ${event.event}\ndata: ${data}\n\n`;
}

/** An SSE comment, used as a heartbeat; comments are ignored by every SSE parser. */
export function encodeSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/**
 * Incremental SSE decoder: feed text as it arrives, get whole events back. Follows the WHATWG
 * event-stream rules (any line ending, comments, multi-line data) and validates every event.
 */
export class SseDecoder {
  private buffer = '';
  private lines: string[] = [];

  push(text: string): AssistantStreamEvent[] {
    this.buffer += text;
    const events: AssistantStreamEvent[] = [];
    for (;;) {
      const match = lineBreak.exec(this.buffer);
      // A lone trailing CR may be the first half of CRLF: wait for the next chunk.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      if (line === '') {
        const event = this.dispatch();
        if (event) events.push(event);
      } else {
        this.lines.push(line);
      }
    }
    return events;
  }

  /** Call at end of stream: a trailing frame without its blank line is still decoded. */
  end(): AssistantStreamEvent[] {
    const rest = this.buffer.replace(/\r$/, '');
    this.buffer = '';
    if (rest !== '') this.lines.push(rest);
    const event = this.dispatch();
    return event ? [event] : [];
  }

  private dispatch(): AssistantStreamEvent | undefined {
    const lines = this.lines;
    this.lines = [];
    let name = 'message';
    const dataLines: string[] = [];
    for (const line of lines) {
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'event') name = value;
      else if (field === 'data') dataLines.push(value);
    }
    if (dataLines.length === 0) return undefined;
    return decodeEvent(name, dataLines.join('\n'), lines.join('\n'));
  }
}

export function decodeSse(text: string): AssistantStreamEvent[] {
  const decoder = new SseDecoder();
  return [...decoder.push(text), ...decoder.end()];
}
