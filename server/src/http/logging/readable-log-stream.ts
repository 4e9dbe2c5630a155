import type { DestinationStream } from 'pino';
import { formatLogRecord, type LogRecord } from './format-log-record.js';

/** The line a stream logs when its first events are out: on a terminal its end says enough. */
export const streamStartedMessage = 'stream started';
/** Lines the error handler and router log before the reply: shown at the end of the request's line. */
const foldedMessages = new Set(['request rejected', 'request rejected by the router']);
/** Requests whose notes wait for their line; a request that never completes must not pin memory. */
const maxWaitingRequests = 1000;

/**
 * pino's JSON lines made readable for a person at a terminal: one line per request, written when
 * it is over (a 4xx carries its code and message on that line instead of a line of its own), and
 * the other records through formatLogRecord. Written to `output` (the batched standard output).
 */
export function createReadableLogStream(
  output: { write(text: string): unknown },
  options: { isColored: boolean },
): DestinationStream {
  const notes = new Map<string, string[]>();
  return {
    write(line: string) {
      let record: LogRecord;
      try {
        record = JSON.parse(line) as LogRecord;
      } catch {
        output.write(line);
        return;
      }
      const level = record.level ?? 30;
      if (level <= 30 && record.msg === streamStartedMessage) return;
      // Fastify's own listen line: the start-up summary right after it gives the same URL.
      if (level <= 30 && !record.reqId && record.msg?.startsWith('Server listening at ')) return;
      if (level <= 30 && record.reqId && foldedMessages.has(record.msg ?? '')) {
        const note = [record.code, record.message].filter((part) => typeof part === 'string').join(': ');
        const waiting = notes.get(record.reqId) ?? [];
        waiting.push(note || (record.msg ?? ''));
        notes.set(record.reqId, waiting);
        if (notes.size > maxWaitingRequests) notes.delete(notes.keys().next().value ?? '');
        return;
      }
      const requestNotes = record.reqId && record.res ? notes.get(record.reqId) : undefined;
      if (requestNotes && record.reqId) notes.delete(record.reqId);
      output.write(formatLogRecord(record, { ...options, ...(requestNotes ? { notes: requestNotes } : {}) }));
    },
  };
}
