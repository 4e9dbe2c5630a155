import type { TranscriptStore, WriteBatch } from '../../src/transcripts/transcript-store.js';

export type FaultMode = { kind: 'healthy' } | { kind: 'down' } | { kind: 'stall'; ms: number };

export class TransientTestError extends Error {
  override readonly name = 'TransientTestError';
}

/**
 * A real store with faults switched on and off by the test: `down` fails like an unreachable
 * database, `stall` delays every write; `rejectWhen` refuses some records for good.
 */
export function withFaults(store: TranscriptStore) {
  let mode: FaultMode = { kind: 'healthy' };
  const calls: { at: number; size: number; isOk: boolean }[] = [];
  let rejectWhen: (batch: WriteBatch) => boolean = () => false;
  const faulty: TranscriptStore = {
    ...store,
    isTransientError: (error) => error instanceof TransientTestError || store.isTransientError(error),
    async writeBatch(batch) {
      const size = batch.threads.length + batch.messages.length;
      if (mode.kind === 'stall')
        await new Promise((resolve) => setTimeout(resolve, (mode as { ms: number }).ms));
      if (mode.kind === 'down') {
        calls.push({ at: Date.now(), size, isOk: false });
        throw new TransientTestError('connect ECONNREFUSED (test)');
      }
      if (rejectWhen(batch)) {
        calls.push({ at: Date.now(), size, isOk: false });
        throw new Error('document failed validation (test)');
      }
      await store.writeBatch(batch);
      calls.push({ at: Date.now(), size, isOk: true });
    },
  };
  return {
    store: faulty,
    calls,
    setMode: (next: FaultMode) => {
      mode = next;
    },
    rejectWhen: (predicate: (batch: WriteBatch) => boolean) => {
      rejectWhen = predicate;
    },
  };
}
