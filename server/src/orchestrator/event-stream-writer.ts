import type { ServerResponse } from 'node:http';
import {
  encodeNdjsonEvent,
  encodeSseComment,
  encodeSseEvent,
  type AssistantStreamEvent,
} from '@threadline/shared';

export type StreamFraming = 'sse' | 'ndjson';

export const ndjsonMediaType = 'application/x-ndjson';

/** SSE unless the client asks for NDJSON (what `AssistantStream.fromReadableStream` reads). */
export const framingFor = (accept: string | undefined): StreamFraming =>
  accept?.toLowerCase().includes(ndjsonMediaType) ? 'ndjson' : 'sse';

export function streamHeaders(framing: StreamFraming): Record<string, string> {
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
 * Writes Assistants events to a raw response as SSE or NDJSON. `send` returns a promise only
 * when the socket buffer is full, so the fast path allocates nothing per event; callers await it
 * to respect backpressure. SSE streams get heartbeat comments while idle; NDJSON gets none
 * because its readers would choke on anything that is not an event line.
 */
export class EventStreamWriter {
  private heartbeat: NodeJS.Timeout | undefined;
  private hasWrittenSinceTick = false;
  private isCorked = false;
  private readonly uncork = () => {
    this.isCorked = false;
    this.response.uncork();
  };

  constructor(
    private readonly response: ServerResponse,
    readonly framing: StreamFraming,
    private readonly heartbeatMs: number,
  ) {}

  get isClosed(): boolean {
    return this.response.destroyed || this.response.writableEnded;
  }

  open(extraHeaders: Headers = {}): void {
    const headers: Headers = { ...extraHeaders, ...streamHeaders(this.framing) };
    for (const [name, value] of Object.entries(headers)) {
      if (value !== undefined) this.response.setHeader(name, value);
    }
    this.response.removeHeader('content-length');
    this.response.writeHead(200);
    this.response.flushHeaders();
    if (this.framing === 'sse') {
      // Ticks at half the period: a comment goes out after between ½ and 1 period of silence.
      this.heartbeat = setInterval(() => this.tick(), Math.max(1, Math.floor(this.heartbeatMs / 2)));
      this.heartbeat.unref();
    }
  }

  send(event: AssistantStreamEvent): Promise<void> | undefined {
    if (this.isClosed) return undefined;
    const frame = this.framing === 'sse' ? encodeSseEvent(event) : encodeNdjsonEvent(event);
    this.hasWrittenSinceTick = true;
    // Events produced in one burst leave in one socket write; a lone event still goes out on
    // the next tick, so batching never delays a slow stream.
    if (!this.isCorked) {
      this.isCorked = true;
      this.response.cork();
      process.nextTick(this.uncork);
    }
    return this.response.write(frame) ? undefined : this.drained();
  }

  /**
   * Ends the stream. SSE readers get `done` first so they can tell a clean end from a cut; after
   * an `error` event there is no `done`, so the error stays the last word.
   */
  end(options: { isClean?: boolean } = {}): void {
    this.stopHeartbeat();
    if (this.isClosed) return;
    if (this.framing === 'sse' && options.isClean !== false)
      this.response.write(encodeSseEvent({ event: 'done', data: '[DONE]' }));
    this.response.end();
  }

  private tick(): void {
    if (this.isClosed) return this.stopHeartbeat();
    if (!this.hasWrittenSinceTick) this.response.write(encodeSseComment('heartbeat'));
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
