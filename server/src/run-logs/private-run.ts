import type { AssistantStreamEvent, TranscriptMessage } from '@threadline/shared';
import type { FastifyReply } from 'fastify';
import type { StreamFraming } from '../http/index.js';
import { followLog } from './follow-log.js';
import { RunLog } from './run-log.js';
import { pumpRun } from './run-pump.js';
import type { StreamOutcome } from './transcript-accumulator.js';

export type RelayOptions = {
  reply: FastifyReply;
  framing: StreamFraming;
  heartbeatMs: number;
  /** Aborts the engine call: client gone (the caller watches for it), or shutdown. */
  signal: AbortSignal;
  /** Sent before the engine's events. */
  preface?: AssistantStreamEvent[];
  headers?: Record<string, string>;
  threadId: string;
  /** The log's bound (RUN_LOG_MAX_EVENTS). */
  maxEvents: number;
  start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
  /** Called once when the run's stream ends, however it ends; null when no run began. */
  onFinish?: (message: TranscriptMessage | null, outcome: StreamOutcome) => void;
};

/**
 * Streams one engine run to the one client that asked, the way the legacy routes always did: a
 * private log nobody else can follow, and the run lives as long as its request (the caller's
 * `signal` aborts when the client leaves). A failure before the first event is thrown, for the
 * error shape with its real status; the rest is pumpRun's and followLog's.
 */
export async function relayPrivateRun(options: RelayOptions): Promise<void> {
  const { reply, signal } = options;
  const run = pumpRun({
    threadId: options.threadId,
    signal,
    start: options.start,
    openLog: () => new RunLog(options.threadId, '', options.maxEvents),
    logger: reply.log,
    ...(options.preface ? { preface: options.preface } : {}),
    ...(options.onFinish ? { onFinish: options.onFinish } : {}),
  });
  const log = await run.log;
  const followed = followLog({
    reply,
    log,
    after: 0,
    framing: options.framing,
    heartbeatMs: options.heartbeatMs,
    isAnnounced: true,
    ...(options.headers ? { headers: options.headers } : {}),
  });
  await run.finished;
  // Once stopped, a client that stopped reading must not hold the caller (and its thread) hostage.
  if (!signal.aborted) await followed;
}
