import type { Health } from '@threadline/shared';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../../http/index.js';
import type { Outbox, OutboxEntry, OutboxRecord } from './outbox.js';
import { defaultRetryPolicy, retryDelay, type RetryPolicy } from './retry-delay.js';
import type { MessageRecord, ThreadRecord, TranscriptRecorder } from '../transcript-recorder.js';
import type { TranscriptStore, WriteBatch } from '../transcript-store.js';

export type TranscriptWriterOptions = {
  store: TranscriptStore;
  outbox: Outbox;
  queueSize: number;
  batchSize: number;
  logger: Pick<FastifyBaseLogger, 'warn' | 'error' | 'info'>;
  retry?: RetryPolicy;
  /** How long a first record waits for others to join its batch. */
  lingerMs?: number;
  random?: () => number;
};

export interface TranscriptWriter extends TranscriptRecorder {
  /** Drops a deleted thread's pending writes and forgets its owner. */
  forgetThread(threadId: string): void;
  status(): Health['queue'];
  /** Writes what it can until `deadlineMs` passes; the rest stays in the outbox for the next start. */
  close(deadlineMs: number): Promise<{ isDrained: boolean }>;
}

const toBatch = (entries: readonly OutboxEntry[]): WriteBatch => ({
  threads: entries.flatMap((entry) => (entry.kind === 'thread' ? [entry.record] : [])),
  messages: entries.flatMap((entry) => (entry.kind === 'message' ? [entry.record] : [])),
});
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));
const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Background persistence. Each record is journaled in the outbox (one synchronous append to a local
 * log file, a few microseconds) before the call returns, then written to the store in batches from a
 * bounded in-memory queue. When the queue is full, or entries from an earlier run wait on disk,
 * new records stay on disk only and are read back in order, so the store sees them in journal order.
 */
export function createTranscriptWriter(options: TranscriptWriterOptions): TranscriptWriter {
  const { store, outbox, queueSize, batchSize, logger } = options;
  const retry = options.retry ?? defaultRetryPolicy;
  const lingerMs = options.lingerMs ?? 5;
  let memory: OutboxEntry[] = [];
  /** Lowest seq that is on disk but not in memory; null when memory holds everything pending. */
  let diskOnlyFromSeq: number | null = outbox.minSeq();
  let journalCount = outbox.count();
  /** Records parked in the dead-letter table, by this process or an earlier one. */
  let deadCount = outbox.deadCount();
  let batchLimit = batchSize;
  let attempt = 0;
  let lastError: string | null = null;
  let isDraining = false;
  let isScheduled = false;
  let retryTimer: NodeJS.Timeout | null = null;
  let isClosing = false;
  let isClosed = false;
  let walWritesSinceCheckpoint = 0;
  /** Store writes (and outbox removals) grow the WAL; fold it back now and then, never inside a commit. */
  const noteWalWrites = (count: number) => {
    walWritesSinceCheckpoint += count;
    if (walWritesSinceCheckpoint < 500) return;
    walWritesSinceCheckpoint = 0;
    try {
      if (!isClosed) outbox.checkpointInBackground();
    } catch (error) {
      logger.warn({ err: error }, 'WAL checkpoint failed');
    }
  };

  const isEmpty = () => memory.length === 0 && diskOnlyFromSeq === null;

  const refill = () => {
    if (diskOnlyFromSeq === null || memory.length >= batchSize) return;
    const room = queueSize - memory.length;
    const loaded = outbox.load(diskOnlyFromSeq, room);
    memory.push(...loaded);
    const last = loaded.at(-1);
    diskOnlyFromSeq = loaded.length < room || !last ? null : last.seq + 1;
  };

  const removeFromMemory = (seqs: ReadonlySet<number>) => {
    memory = memory.filter((entry) => !seqs.has(entry.seq));
  };

  const drain = async () => {
    isScheduled = false;
    if (isDraining || isClosed) return;
    isDraining = true;
    try {
      for (;;) {
        refill();
        const batch = memory.slice(0, batchLimit);
        if (batch.length === 0) return;
        try {
          await store.writeBatch(toBatch(batch));
        } catch (error) {
          lastError = describe(error);
          if (isClosed) return;
          if (store.isTransientError(error)) {
            attempt += 1;
            const delay = retryDelay(
              attempt,
              isClosing ? { ...retry, maxMs: Math.min(retry.maxMs, 250) } : retry,
              options.random,
            );
            if (attempt === 1 || attempt % 10 === 0)
              logger.warn(
                { err: error, attempt, delayMs: delay, pending: journalCount },
                'transcript store write failed; will retry',
              );
            retryTimer = setTimeout(() => {
              retryTimer = null;
              void drain();
            }, delay);
            retryTimer.unref();
            return;
          }
          // Rejected for good: halve the batch until the record that causes it stands alone, then park it.
          const [only] = batch;
          if (batch.length > 1 || !only) {
            batchLimit = Math.max(1, Math.floor(batch.length / 2));
            continue;
          }
          logger.error(
            { err: error, seq: only.seq, kind: only.kind },
            'transcript record rejected by the store; parked in outbox_dead',
          );
          journalCount -= outbox.moveToDead(only.seq, lastError);
          deadCount += 1;
          removeFromMemory(new Set([only.seq]));
          continue;
        }
        // Closed while this batch was in flight: the journal is closed too; the rows replay next start.
        if (isClosed) return;
        const seqs = batch.map((entry) => entry.seq);
        journalCount -= outbox.remove(seqs);
        removeFromMemory(new Set(seqs));
        attempt = 0;
        lastError = null;
        batchLimit = batchSize;
        noteWalWrites(batch.length);
        // A synchronous store (SQLite) resolves at once: let the streams' timers and sockets run
        // between batches instead of draining a backlog in one long block of the event loop.
        if (!isEmpty()) await yieldToEventLoop();
      }
    } catch (error) {
      // Only the local journal can throw here; keep the process alive and try again later.
      lastError = `outbox: ${describe(error)}`;
      logger.error({ err: error }, 'transcript writer failed');
      retryTimer = setTimeout(() => {
        retryTimer = null;
        void drain();
      }, 1000);
      retryTimer.unref();
    } finally {
      isDraining = false;
      if (!retryTimer && !isEmpty()) schedule();
    }
  };

  function schedule() {
    if (isScheduled || isDraining || retryTimer || isClosed) return;
    isScheduled = true;
    // A short linger lets the records of one turn share a batch and keeps the drain's own work off
    // the path between recording the user message and the run's first event.
    setTimeout(() => void drain(), lingerMs).unref();
  }

  /** Journals the records all or none, then queues them (or leaves them on disk when the queue is full). */
  const record = (entries: readonly OutboxRecord[]) => {
    const createdAt = Date.now();
    let seqs: number[];
    try {
      seqs = outbox.append(entries, createdAt);
    } catch (error) {
      // The local disk failed: nothing durable can be promised, but the write is still worth trying.
      lastError = `outbox: ${describe(error)}`;
      logger.error({ err: error }, 'could not journal a transcript record; writing it without a journal');
      const unjournaled = entries.map((entry) => ({ ...entry, seq: -1, createdAt }));
      void store.writeBatch(toBatch(unjournaled)).catch((writeError: unknown) => {
        logger.error({ err: writeError }, 'transcript record lost');
      });
      return;
    }
    journalCount += seqs.length;
    entries.forEach((entry, index) => {
      const seq = seqs[index] ?? -1;
      if (diskOnlyFromSeq === null && memory.length < queueSize) memory.push({ ...entry, seq, createdAt });
      else diskOnlyFromSeq ??= seq;
    });
    schedule();
  };

  if (!isEmpty()) {
    logger.info({ pending: journalCount }, 'replaying transcript writes left in the outbox');
    schedule();
  }

  return {
    recordThread(thread: ThreadRecord) {
      record([{ kind: 'thread', record: thread }]);
    },
    recordMessage(message: MessageRecord) {
      record([{ kind: 'message', record: message }]);
    },
    recordTurn({ thread, message }) {
      const threadEntry: OutboxRecord[] = thread ? [{ kind: 'thread', record: thread }] : [];
      record([...threadEntry, { kind: 'message', record: message }]);
    },
    async findThreadOwner(threadId) {
      const local = outbox.ownerOf(threadId);
      if (local !== null) return local;
      try {
        return await store.findThreadOwner(threadId);
      } catch (error) {
        throw new AppError('store_unavailable', 503, 'The transcript store is unavailable', { cause: error });
      }
    },
    forgetThread(threadId) {
      const dropped = outbox.forgetThread(threadId);
      journalCount -= dropped.length;
      removeFromMemory(new Set(dropped));
    },
    status() {
      const oldest =
        memory[0]?.createdAt ?? (diskOnlyFromSeq === null ? null : outbox.oldestCreatedAt(diskOnlyFromSeq));
      return {
        depth: memory.length,
        outbox: Math.max(0, journalCount - memory.length),
        oldestPendingAgeMs: oldest === null ? null : Math.max(0, Date.now() - oldest),
        lastError,
        dead: deadCount,
      };
    },
    async close(deadlineMs) {
      isClosing = true;
      const deadline = Date.now() + deadlineMs;
      if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = null;
      }
      schedule();
      while (!isEmpty() || isDraining) {
        if (Date.now() >= deadline) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
        if (!isDraining && !retryTimer && !isScheduled) schedule();
      }
      const isDrained = isEmpty() && !isDraining;
      isClosed = true;
      await outbox.close();
      try {
        outbox.checkpoint();
      } catch (error) {
        logger.warn({ err: error }, 'final WAL checkpoint failed');
      }
      if (retryTimer) clearTimeout(retryTimer);
      if (!isDrained)
        logger.warn({ pending: journalCount }, 'shutdown deadline reached; the outbox keeps the rest');
      return { isDrained };
    },
  };
}
