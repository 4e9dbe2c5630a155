import type { AssistantStreamEvent, TranscriptMessage } from '@threadline/shared';
import type { FastifyBaseLogger, FastifyReply } from 'fastify';
import { followLog, type FollowOptions } from './follow-log.js';
import { RunLog, type RunDirectory } from './run-log.js';
import { pumpRun, type PumpedRun } from './run-pump.js';
import type { StreamDrain } from './stream-drain.js';
import type { StreamOutcome } from './transcript-accumulator.js';

export type DeliverRunOptions = {
  reply: FastifyReply;
  threadId: string;
  /** Stops the run: Stop, a newer send, shutdown (the drain aborts it), or the client leaving. */
  controller: AbortController;
  start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
  /**
   * Where the events go: the thread's log in the run directory, which any reader of the user's may
   * follow and resume (`shared`); or a log only this request reads, as the legacy routes had it
   * (`private`: the run lives as long as its request).
   */
  log: { shared: RunDirectory; userId: string } | { privateMaxEvents: number };
  drain: StreamDrain;
  /** How this request reads the log (framing, heartbeat, headers, ids or OpenAI's bare format). */
  follow: Omit<FollowOptions, 'reply' | 'log' | 'after'>;
  /** Logged before the engine's events, e.g. `thread.created` for a thread made by this send. */
  preface?: AssistantStreamEvent[];
  /** The `error` event that ends the log when the engine throws mid-run. */
  errorEvent?: (error: unknown) => AssistantStreamEvent;
  /** Called once when the run ends, however it ends; null when no run began. */
  onFinish?: (message: TranscriptMessage | null, outcome: StreamOutcome) => void;
  /** Called once the run has ended and its log is closed (a turn is released then). */
  onRunEnded?: () => void;
};

export type StartRunOptions = Omit<DeliverRunOptions, 'reply' | 'follow' | 'log'> & {
  log: { shared: RunDirectory; userId: string };
  logger: FastifyBaseLogger;
};

/** The engine's stream pumped into the thread's log, tracked by the drain; nobody follows it yet. */
function pumpInto(options: Omit<StartRunOptions, 'log'> & { log: DeliverRunOptions['log'] }): PumpedRun {
  const { threadId } = options;
  const logTarget = options.log;
  return pumpRun({
    threadId,
    signal: options.controller.signal,
    start: options.start,
    openLog: () =>
      'privateMaxEvents' in logTarget
        ? new RunLog(threadId, '', logTarget.privateMaxEvents)
        : logTarget.shared.open(threadId, logTarget.userId),
    logger: options.logger,
    ...(options.preface ? { preface: options.preface } : {}),
    ...(options.errorEvent ? { errorEvent: options.errorEvent } : {}),
    ...(options.onFinish ? { onFinish: options.onFinish } : {}),
  });
}

/**
 * Starts a run into its thread's log, whoever reads it (a polled /v1 run, a background response):
 * a run belongs to its thread, not to a request, so the drain waits for the run itself.
 */
export function startRun(options: StartRunOptions): PumpedRun {
  const run = pumpInto(options);
  void options.drain.track(run.finished, options.controller).finally(() => options.onRunEnded?.());
  return run;
}

/**
 * The one way a run reaches a client: the run starts into a log (startRun, or a log only this
 * request reads) and this request follows it (followLog). The engine's first event is awaited
 * before any header is written, so a run that fails at once answers with the error shape and its
 * real status.
 */
export async function deliverRun(options: DeliverRunOptions): Promise<void> {
  const { reply, controller } = options;
  const logTarget = options.log;
  if (!('privateMaxEvents' in logTarget)) {
    const run = startRun({ ...options, log: logTarget, logger: reply.log });
    const log = await run.log;
    await followLog({ ...options.follow, reply, log, after: 0 });
    return;
  }
  // A private run is its request: the drain waits for the whole delivery.
  const run = pumpInto({ ...options, logger: reply.log });
  const delivery = (async () => {
    const log = await run.log;
    const followed = followLog({ ...options.follow, reply, log, after: 0 });
    await run.finished;
    // Once stopped, a client that stopped reading must not hold the caller (and its thread) hostage.
    if (!controller.signal.aborted) await followed;
  })();
  try {
    await options.drain.track(delivery, controller);
  } finally {
    options.onRunEnded?.();
  }
}
