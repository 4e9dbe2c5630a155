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

/**
 * An event already serialised (its data as JSON text, `[DONE]` for `done`), with the id that
 * names its run and position, as a run's event log keeps it.
 */
export type EncodedEvent = { id?: string; event: string; data: string };

/**
 * One SSE frame with its id: `id: <id>\nevent: <name>\ndata: <json>\n\n`. The id lets a
 * reader resume after it (`Last-Event-ID`). Names and ids come from the server, never CR/LF.
 */
export function encodeSseFrame(frame: EncodedEvent): string {
  const head = frame.id === undefined ? '' : `id: ${frame.id}\n`;
  return `${head}event: ${frame.event}\ndata: ${frame.data}\n\n`;
}

/** An event and the id its frame carried (the last one seen, as EventSource keeps it), if any. */
export type IdentifiedEvent = { event: AssistantStreamEvent; id: string | null };

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
  private lastEventId: string | null = null;

  push(text: string): AssistantStreamEvent[] {
    return this.pushWithIds(text).map((frame) => frame.event);
  }

  /** As `push`, each event with its id (the `id:` line of its frame, or the last one before). */
  pushWithIds(text: string): IdentifiedEvent[] {
    this.buffer += text;
    const events: IdentifiedEvent[] = [];
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
    return this.endWithIds().map((frame) => frame.event);
  }

  endWithIds(): IdentifiedEvent[] {
    const rest = this.buffer.replace(/\r$/, '');
    this.buffer = '';
    if (rest !== '') this.lines.push(rest);
    const event = this.dispatch();
    return event ? [event] : [];
  }

  private dispatch(): IdentifiedEvent | undefined {
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
      // WHATWG: an id with a NUL is ignored; an empty one resets the last event id.
      else if (field === 'id' && !value.includes('\0')) this.lastEventId = value === '' ? null : value;
    }
    if (dataLines.length === 0) return undefined;
    return { event: decodeEvent(name, dataLines.join('\n'), lines.join('\n')), id: this.lastEventId };
  }
}

export function decodeSse(text: string): AssistantStreamEvent[] {
  const decoder = new SseDecoder();
  return [...decoder.push(text), ...decoder.end()];
}
