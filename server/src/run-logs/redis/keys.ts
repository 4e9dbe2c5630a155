/**
 * Every key and channel Threadline's runs use in Redis (docs/deployment.md lists them):
 * - `log:<logId>`: the run's events, a stream; entry `<position>-0` holds an event (`e` its name,
 *   `d` its data as JSON text), entry `<last position>-1` marks the end (`end`: clean|failed).
 *   Trimmed to about RUN_LOG_MAX_EVENTS; expires RUN_LOG_RETENTION_MS after the run ends.
 * - `meta:<logId>`: `<threadId> <ownerId>`, as long as the stream.
 * - `thread:<threadId>`: the thread's latest run, `<logId> running|ended <ownerId>`; expires
 *   `liveTtlMs` after its instance last renewed it (a crashed instance's run stops counting),
 *   RUN_LOG_RETENTION_MS after the run ended.
 * - `turn:<threadId>` (lock, the holder's fencing token) and `fence:<threadId>` (the counter).
 * - channel `control`: stop / supersede / released messages between instances.
 */
export const runRedisNamespace = 'threadline:run:';
export const keys = {
  log: (logId: string) => `${runRedisNamespace}log:${logId}`,
  meta: (logId: string) => `${runRedisNamespace}meta:${logId}`,
  thread: (threadId: string) => `${runRedisNamespace}thread:${threadId}`,
  turn: (threadId: string) => `${runRedisNamespace}turn:${threadId}`,
  fence: (threadId: string) => `${runRedisNamespace}fence:${threadId}`,
  control: `${runRedisNamespace}control`,
};

/** How long a running run's registration and a turn lock outlive their instance's last renewal. */
export const liveTtlMs = 15_000;
export const renewEveryMs = liveTtlMs / 3;
/** How long a follower blocks on a quiet stream before it checks the run's instance is alive. */
export const quietCheckMs = 5_000;
/** How long a resume waits for an event another instance has sent but not yet stored. */
export const catchUpMs = 5_000;
export const mirrorBatch = 512;
