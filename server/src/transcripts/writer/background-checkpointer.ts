import { once } from 'node:events';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * Runs `PRAGMA wal_checkpoint(PASSIVE)` on a database file from a worker thread with its own
 * connection, on request and (with `intervalMs`) every so often on its own. A checkpoint copies
 * the WAL into the database file and syncs it: tens of milliseconds on an ordinary disk, which on
 * the main thread stalled every open stream at once.
 * A passive checkpoint takes no lock writers wait for, so the main connection keeps committing.
 * Periodic checkpoints also keep the WAL file bounded: above `truncateAboveBytes`, once no write
 * has come in for a period and everything is copied, the file is truncated.
 */
export type BackgroundCheckpointer = {
  /** Starts a checkpoint unless one is already running; never throws. */
  request(): void;
  /** Waits for a running checkpoint, then closes the worker's connection. */
  close(): Promise<void>;
};

// Plain CommonJS so the worker needs no TypeScript loader; the driver path comes from the parent.
const workerSource = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driverPath);
let database;
try {
  database = new Database(workerData.file, { fileMustExist: true });
  database.pragma('busy_timeout = 0');
} catch (error) {
  parentPort.postMessage({ error: String(error && error.message), isFatal: true });
  parentPort.close();
}
const { statSync } = require('node:fs');
const walSize = () => {
  try {
    return statSync(workerData.file + '-wal').size;
  } catch {
    return 0;
  }
};
// WAL frames seen at the previous periodic checkpoint: unchanged means nobody wrote in between.
let previousFrames = -1;
const checkpoint = (isPeriodic) => {
  try {
    const [result] = database.pragma('wal_checkpoint(PASSIVE)');
    const isIdle = result.log === previousFrames;
    previousFrames = result.log;
    // A passive checkpoint never shrinks the WAL file: SQLite reuses it from the start, so it stays
    // as large as the biggest burst ever written. When the database is idle and every frame is
    // already copied, TRUNCATE has nothing left to copy and only empties the file (a few ms during
    // which a writer would wait, and this connection waits for none: busy_timeout = 0).
    if (isPeriodic && isIdle && result.busy === 0 && result.checkpointed === result.log
        && walSize() > workerData.truncateAboveBytes) {
      const [truncated] = database.pragma('wal_checkpoint(TRUNCATE)');
      if (truncated.busy === 0) previousFrames = 0;
    }
    return null;
  } catch (error) {
    return String(error);
  }
};
// The connections writing to the file leave checkpoints to this worker (wal_autocheckpoint = 0),
// so it also checkpoints on its own clock: the WAL stays short however the writes come.
const timer = database && workerData.intervalMs > 0
  ? setInterval(() => {
      const error = checkpoint(true);
      if (error !== null) parentPort.postMessage({ error, isPeriodic: true });
    }, workerData.intervalMs)
  : undefined;
if (database) parentPort.on('message', (message) => {
  if (message === 'close') {
    clearInterval(timer);
    database.close();
    parentPort.close();
    return;
  }
  parentPort.postMessage({ error: checkpoint(false) });
});
`;

export function createBackgroundCheckpointer(
  file: string,
  onError: (message: string) => void,
  options: {
    intervalMs?: number;
    /** With `intervalMs`: a WAL file larger than this is truncated once the database is idle. */
    truncateAboveBytes?: number;
  } = {},
): BackgroundCheckpointer {
  const intervalMs = options.intervalMs ?? 0;
  const truncateAboveBytes = options.truncateAboveBytes ?? 64 * 1024 * 1024;
  let worker: Worker | null = null;
  let isRunning = false;
  let isClosed = false;
  const start = () => {
    const driverPath = createRequire(import.meta.url).resolve('better-sqlite3');
    const started = new Worker(workerSource, {
      eval: true,
      workerData: { file, driverPath, intervalMs, truncateAboveBytes },
    });
    started.unref();
    started.on('message', (result: { error: string | null; isFatal?: boolean; isPeriodic?: boolean }) => {
      if (!result.isPeriodic) isRunning = false;
      if (result.isFatal && worker === started) worker = null;
      if (result.error !== null) onError(result.error);
    });
    started.on('exit', () => {
      if (worker === started) worker = null;
      isRunning = false;
    });
    started.on('error', (error) => {
      isRunning = false;
      worker = null;
      onError(String(error));
    });
    return started;
  };
  // With a period, the worker starts now rather than at the first request.
  if (intervalMs > 0) worker = start();
  return {
    request() {
      if (isRunning || isClosed) return;
      worker ??= start();
      isRunning = true;
      worker.postMessage('checkpoint');
    },
    async close() {
      isClosed = true;
      const running = worker;
      worker = null;
      if (!running) return;
      const exited = once(running, 'exit');
      // Unreferenced, the worker would let the process end before it has closed its connection.
      running.ref();
      running.postMessage('close');
      try {
        await exited;
      } catch {
        // The worker failed instead of exiting cleanly; `onError` has already reported it.
      }
    },
  };
}
