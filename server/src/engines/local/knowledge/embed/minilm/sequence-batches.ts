/**
 * Sequences per model call at most. 1, 4, 8 and 16 equal-length windows cost the same CPU
 * within noise (~0.3 ms per word piece on one thread of a shared 2-core machine).
 */
export const batchSize = 8;
/**
 * Padding a batch may carry, as a share of its padded size. Every sequence is padded to the
 * batch's longest, and padding costs as much as text: an answer turn's eight passages of 15–110
 * pieces took 237 ms as one batch and 139 ms one by one (load 2.5), so sequences of unlike
 * lengths go in separate calls, while a backlog's full windows still share one.
 */
const maxPaddingShare = 0.1;

/**
 * Indices in batches: consecutive (sorted by length, shortest first), at most `batchSize` each,
 * a batch closed before the next sequence would make its padding exceed `maxPaddingShare`.
 */
export function batchesOf(sorted: readonly { index: number; length: number }[]): number[][] {
  const batches: number[][] = [];
  let batch: number[] = [];
  let total = 0;
  for (const { index, length } of sorted) {
    const padded = (batch.length + 1) * length;
    if (
      batch.length >= batchSize ||
      (batch.length > 0 && padded - (total + length) > maxPaddingShare * padded)
    ) {
      batches.push(batch);
      batch = [];
      total = 0;
    }
    batch.push(index);
    total += length;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
