import type { FastifyReply } from 'fastify';
import { EventStreamWriter, type StreamFraming } from '../http/index.js';
import type { RunLog } from './run-log.js';
import { streamStartedMessage } from '../http/index.js';

export type FollowOptions = {
  reply: FastifyReply;
  log: RunLog;
  /** Position of the last event the reader has (0: from the start). */
  after: number;
  framing: StreamFraming;
  heartbeatMs: number;
  headers?: Record<string, string>;
  /** Called when the client leaves before the run has ended. */
  onLeave?: () => void;
  /** Log `stream started` once the first frames have left (the request that started the run). */
  isAnnounced?: boolean;
  /** Without ids, for /v1: OpenAI's wire format, byte for byte. */
  isAnonymous?: boolean;
  /** `always` for /v1, which ends with `done` even after an `error` event, as OpenAI does. */
  doneAfter?: 'clean' | 'always';
};

/** At most this many events per turn of a reader's loop, so one reader cannot hog the loop. */
const batchSize = 512;

/**
 * Streams a run's log to one client from `after` on, live to the run's end, each event with its
 * id. A reader is only a reader: its leaving (or lagging) never stops the run. The reader's
 * place is checked before the response is hijacked, so a cursor that cannot be served gets the
 * error shape (410, 400). SSE readers get `done` after a run that ended cleanly; a reader too
 * slow to keep up with a full log gets a final `error` event (code `cursor_expired`) instead.
 */
export async function followLog(options: FollowOptions): Promise<void> {
  const { reply, log } = options;
  const reader = log.attach(options.after);
  reply.hijack();
  const writer = new EventStreamWriter(reply.raw, options.framing, options.heartbeatMs);
  writer.open(
    Object.assign(reply.getHeaders(), options.headers),
    options.isAnnounced ? () => reply.log.info({ threadId: log.threadId }, streamStartedMessage) : undefined,
  );
  let isGone = false;
  reply.raw.once('close', () => {
    if (reply.raw.writableFinished) return;
    isGone = true;
    log.interrupt(reader);
    if (!log.isEnded) options.onLeave?.();
  });

  let isClean = true;
  try {
    while (!isGone) {
      const events = log.read(reader, batchSize);
      for (const event of events) {
        const pending = writer.sendEncoded(
          options.isAnonymous ? { event: event.event, data: event.data } : event,
        );
        if (pending) await pending;
      }
      if (events.length > 0) continue;
      if (log.isEnded) break;
      await log.whenReadable(reader);
    }
  } catch (error) {
    isClean = false;
    const message = error instanceof Error ? error.message : String(error);
    void writer.send({ event: 'error', data: { code: 'cursor_expired', message } });
  } finally {
    log.detach(reader);
    writer.end({ isClean: options.doneAfter === 'always' || (isClean && log.isClean) });
  }
}
