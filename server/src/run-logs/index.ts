/**
 * @module run-logs
 * How runs reach readers: each run's events go to a log (in process, or Redis streams across
 * instances) that the request that started it and any later reader follow and resume; the
 * pump that fills it, `deliverRun` (the one way a run is streamed to a client), the drain that
 * lets streams finish on shutdown, and the thread locks that serialise turns across instances.
 */
export { deliverRun, startRun } from './deliver-run.js';
export { followLog } from './follow-log.js';
export type { RunDirectory } from './run-log.js';
export { runLogsPlugin } from './run-logs-plugin.js';
export type { PumpedRun } from './run-pump.js';
export { streamDrainPlugin } from './stream-drain-plugin.js';
export { ShuttingDownError, StreamDrain } from './stream-drain.js';
export { soloThreadLocks } from './thread-locks.js';
export type { ThreadLocks } from './thread-locks.js';
export type { StreamOutcome } from './transcript-accumulator.js';
