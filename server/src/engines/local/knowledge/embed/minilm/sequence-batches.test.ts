import { describe, expect, it } from 'vitest';
import { batchesOf, batchSize } from './sequence-batches.js';

const sorted = (lengths: number[]) => lengths.map((length, index) => ({ index, length }));

describe('batchesOf', () => {
  it.each([
    // A backlog's full windows share calls, eight at a time.
    {
      name: 'equal windows',
      lengths: Array<number>(10).fill(146),
      batches: [
        [0, 1, 2, 3, 4, 5, 6, 7],
        [8, 9],
      ],
    },
    // An answer turn's passages of unlike lengths: each alone unless close in length.
    {
      name: 'unlike passages',
      lengths: [15, 20, 40, 70, 80, 95, 100, 110],
      batches: [[0], [1], [2], [3, 4], [5, 6, 7]],
    },
    { name: 'within the padding share', lengths: [90, 95, 99, 100], batches: [[0, 1, 2, 3]] },
    { name: 'one sequence', lengths: [12], batches: [[0]] },
    { name: 'none', lengths: [], batches: [] },
  ])('$name', ({ lengths, batches }) => {
    expect(batchesOf(sorted(lengths))).toEqual(batches);
  });

  it('pads no batch by more than a tenth, and keeps every index once in order', () => {
    const lengths = Array.from({ length: 40 }, (_, index) => 10 + Math.floor((index * 37) % 130)).sort(
      (a, b) => a - b,
    );
    const batches = batchesOf(sorted(lengths));
    expect(batches.flat()).toEqual(lengths.map((_, index) => index));
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(batchSize);
      const widths = batch.map((index) => lengths[index] ?? 0);
      const padded = batch.length * Math.max(...widths);
      expect(padded - widths.reduce((sum, width) => sum + width, 0)).toBeLessThanOrEqual(0.1 * padded);
    }
  });
});
