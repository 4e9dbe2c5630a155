import type { ServerResponse } from 'node:http';
import {
  encodeNdjsonEvent,
  encodeNdjsonFrame,
  encodeSseComment,
  encodeSseEvent,
  encodeSseFrame,
  type AssistantStreamEvent,
  type EncodedEvent,
} from '@threadline/shared';

export type StreamFraming = 'sse' | 'ndjson';

export const ndjsonMediaType = 'application/x-ndjson';
/** How every streamed route's answer is described in the API docs. */
export const eventStreamDescription = `Server-Sent Events of Assistants events ending with \`done\`; NDJSON with \`Accept: ${ndjsonMediaType}\`.`;

/** SSE unless the client asks for NDJSON (what `AssistantStream.fromReadableStream` reads). */
export const framingFor = (accept: string | undefined): StreamFraming =>
  accept?.toLowerCase().includes(ndjsonMediaType) ? 'ndjson' : 'sse';

function streamHeaders(framing: StreamFraming): Record<string, string> {
  return {
    'content-type':
      framing === 'sse' ? 'text/event-stream; charset=utf-8' : `${ndjsonMediaType}; charset=utf-8`,
    'cache-control': 'no-cache',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  };
}

type Headers = Record<string, string | number | string[] | undefined>;

/**
 * The head of a stream response: the headers already set for it (security, rate limit, CORS) with
 * the stream's own on top, minus unset values and any content length.
 */
export function streamHead(
  framing: StreamFraming,
  inherited: Headers,
): Record<string, string | number | string[]> {
  const head: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(inherited))
    if (value !== undefined && name !== 'content-length') head[name] = value;
  return Object.assign(head, streamHeaders(framing));
}

/** Frames beyond this many characters are written at once instead of waiting for the tick. */
const flushAtChars = 16 * 1024;

/**
 * Writes Assistants events to a raw response as SSE or NDJSON. Frames produced in one tick are
 * joined and leave in one `write` (one chunk, one syscall; the headers ride along with the first
 * one), so a burst costs one socket write and a lone event still goes out on the next tick.
 * `send` returns a promise only when the socket buffer is full, so the fast path allocates
 * nothing per event; callers await it to respect backpressure. SSE streams get heartbeat comments
 * while idle; NDJSON gets none because its readers would choke on anything that is not an event line.
 */
export class EventStreamWriter {
  private heartbeat: NodeJS.Timeout | undefined;
  private hasWrittenSinceTick = false;
  private pending = '';
  private isFlushScheduled = false;
  private readonly flushOnTick = () => {
    this.isFlushScheduled = false;
    this.flush();
  };

  constructor(
    private readonly response: ServerResponse,
    readonly framing: StreamFraming,
    private readonly heartbeatMs: number,
  ) {}

  get isClosed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  /** Called once, right after the head and first frames were handed to the socket. */
  private afterFirstWrite: (() => void) | undefined;

  open(extraHeaders: Headers = {}, afterFirstWrite?: () => void): void {
    this.afterFirstWrite = afterFirstWrite;
    this.response.removeHeader('content-length');
    // Handed to writeHead, not set one by one: with no header set on the response before, Node
    // formats them straight into the head.
    this.response.writeHead(200, streamHead(this.framing, extraHeaders));
    // The headers go out on the next tick at the latest: with the first frames when there are any.
    this.scheduleFlush();
    if (this.framing === 'sse') {
      // Ticks at half the period: a comment goes out after between ½ and 1 period of silence.
      this.heartbeat = setInterval(() => this.tick(), Math.max(1, Math.floor(this.heartbeatMs / 2)));
      this.heartbeat.unref();
    }
  }

  send(event: AssistantStreamEvent): Promise<void> | undefined {
    return this.sendFrame(this.framing === 'sse' ? encodeSseEvent(event) : encodeNdjsonEvent(event));
  }

  /** Sends an event already encoded in this stream's framing (e.g. with its id, from a run's log). */
  sendEncoded(event: EncodedEvent): Promise<void> | undefined {
    return this.sendFrame(this.framing === 'sse' ? encodeSseFrame(event) : encodeNdjsonFrame(event));
  }

  private sendFrame(frame: string): Promise<void> | undefined {
    if (this.isClosed) return undefined;
    this.pending += frame;
    this.hasWrittenSinceTick = true;
    if (this.pending.length >= flushAtChars) {
      if (!this.flush()) return this.drained();
    } else this.scheduleFlush();
    return this.response.writableNeedDrain ? this.drained() : undefined;
  }

  /**
   * Ends the stream. SSE readers get `done` first so they can tell a clean end from a cut; after
   * an `error` event there is no `done`, so the error stays the last word.
   */
  end(options: { isClean?: boolean } = {}): void {
    this.stopHeartbeat();
    if (this.isClosed) return;
    if (this.framing === 'sse' && options.isClean !== false)
      this.pending += encodeSseEvent({ event: 'done', data: '[DONE]' });
    const rest = this.pending;
    this.pending = '';
    if (rest === '') this.response.end();
    else this.response.end(rest);
    this.firstWriteDone();
  }

  private scheduleFlush(): void {
    if (this.isFlushScheduled) return;
    this.isFlushScheduled = true;
    process.nextTick(this.flushOnTick);
  }

  /** Writes what is pending (or just the headers); false when the socket buffer is full. */
  private flush(): boolean {
    if (this.isClosed) return true;
    const chunk = this.pending;
    this.pending = '';
    let isWritable = true;
    if (chunk !== '') isWritable = this.response.write(chunk);
    else if (!this.response.headersSent) this.response.flushHeaders();
    this.firstWriteDone();
    return isWritable;
  }

  private firstWriteDone(): void {
    const callback = this.afterFirstWrite;
    if (!callback) return;
    this.afterFirstWrite = undefined;
    callback();
  }

  private tick(): void {
    if (this.isClosed) return this.stopHeartbeat();
    if (!this.hasWrittenSinceTick) {
      this.pending += encodeSseComment('heartbeat');
      this.scheduleFlush();
    }
    this.hasWrittenSinceTick = false;
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private drained(): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        this.response.off('drain', done);
        this.response.off('close', done);
        resolve();
      };
      this.response.on('drain', done);
      this.response.on('close', done);
    });
  }
}
