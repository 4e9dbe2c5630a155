import type { AssistantStreamEvent, TranscriptMessage } from '@threadline/shared';
import type { FastifyBaseLogger } from 'fastify';
import { toErrorBody } from '../http/index.js';
import type { RunLog } from './run-log.js';
import { TranscriptAccumulator, type StreamOutcome } from './transcript-accumulator.js';

export type RunPumpOptions = {
  threadId: string;
  /** Stops the run: Stop, a newer send, shutdown, or (ON_CLIENT_LEAVE=cancel) the client leaving. */
  signal: AbortSignal;
  start: (signal: AbortSignal) => AsyncIterable<AssistantStreamEvent>;
  /** Opened once the first event is there, so a run that fails at once leaves no log behind. */
  openLog: () => RunLog;
  /** Logged before the engine's events, e.g. `thread.created` for a thread made by this send. */
  preface?: AssistantStreamEvent[];
  logger: FastifyBaseLogger;
  /** The `error` event that ends the log when the engine throws mid-run (the one error shape's code). */
  errorEvent?: (error: unknown) => AssistantStreamEvent;
  /** Called once when the run ends, however it ends; null when no run began. */
  onFinish?: (message: TranscriptMessage | null, outcome: StreamOutcome) => void;
};

export type PumpedRun = {
  /** The run's log once its first event is in; rejects with the engine's error if it failed before. */
  log: Promise<RunLog>;
  /** Resolves when the run has ended and its log is closed; never rejects. */
  finished: Promise<void>;
};

const defaultErrorEvent =
  (logger: FastifyBaseLogger) =>
  (error: unknown): AssistantStreamEvent => {
    const { body, isServerFault } = toErrorBody(error);
    if (isServerFault) logger.error({ err: error }, 'engine failed mid-stream');
    return { event: 'error', data: { code: body.code, message: body.message } };
  };

/**
 * Runs the engine's stream into a log, independently of whoever reads it: a run belongs to its
 * thread, not to a connection. The first event is awaited before the log exists, so a run that
 * fails at once gives its caller the engine's real error (a 429 keeps Retry-After) and no log; a
 * failure after that becomes one final `error` event. When `signal` aborts, the engine cancels
 * the run and its cancellation events still go into the log, so every reader sees
 * `thread.run.cancelled` and the partial answer is recorded.
 */
export function pumpRun(options: RunPumpOptions): PumpedRun {
  const { signal } = options;
  let resolveLog: (log: RunLog) => void = () => {};
  let rejectLog: (error: unknown) => void = () => {};
  const log = new Promise<RunLog>((resolve, reject) => {
    resolveLog = resolve;
    rejectLog = reject;
  });
  // A caller that has already gone need not handle the rejection.
  log.catch(() => undefined);

  const finished = (async () => {
    const accumulator = new TranscriptAccumulator();
    const finish = (outcome: StreamOutcome) =>
      options.onFinish?.(accumulator.toTranscriptMessage(options.threadId, outcome), outcome);
    const iterator = options.start(signal)[Symbol.asyncIterator]();

    let first: IteratorResult<AssistantStreamEvent>;
    try {
      first = await iterator.next();
    } catch (error) {
      finish(signal.aborted ? 'stopped' : 'failed');
      rejectLog(error);
      return;
    }
    const runLog = options.openLog();
    for (const event of options.preface ?? []) void runLog.append(event);
    resolveLog(runLog);

    let outcome: StreamOutcome = 'ended';
    try {
      for (let next = first; !next.done; next = await iterator.next()) {
        accumulator.push(next.value);
        const full = runLog.append(next.value, signal);
        if (full) await full;
      }
    } catch (error) {
      outcome = 'failed';
      const event = (options.errorEvent ?? defaultErrorEvent(options.logger))(error);
      accumulator.push(event);
      void runLog.append(event);
    } finally {
      if (outcome !== 'failed' && signal.aborted) outcome = 'stopped';
      finish(outcome);
      runLog.end({ isClean: outcome !== 'failed' });
    }
  })();
  return { log, finished };
}
