/**
 * @module run-logs
 * TODO describe
 */
export { followLog } from './follow-log.js';
export { relayPrivateRun } from './private-run.js';
export { runLogsPlugin } from './run-logs-plugin.js';
export { pumpRun } from './run-pump.js';
export { streamDrainPlugin } from './stream-drain-plugin.js';
export { ShuttingDownError } from './stream-drain.js';
export { soloThreadLocks } from './thread-locks.js';
export type { ThreadLocks } from './thread-locks.js';
