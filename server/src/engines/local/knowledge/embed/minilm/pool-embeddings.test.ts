import { describe, expect, it } from 'vitest';
import { poolEmbeddings, windowPieces } from './pool-embeddings.js';

describe('poolEmbeddings', () => {
  it('averages the unpadded tokens and scales to unit length', () => {
    // Two sequences of width 3, 2 dimensions; the second has one padding token.
    const hidden = Float32Array.from([1, 0, 0, 1, 1, 1, 3, 0, 3, 0, 100, 100]);
    const [first, second] = poolEmbeddings(hidden, [3, 2], 3, 2);
    expect(Array.from(first ?? [])).toEqual([Math.SQRT1_2, Math.SQRT1_2].map(Math.fround));
    expect(Array.from(second ?? [])).toEqual([1, 0]);
  });
});

describe('windowPieces', () => {
  it.each([
    { pieces: 3, size: 4, expected: [[0, 1, 2]] },
    { pieces: 0, size: 4, expected: [[]] },
    {
      pieces: 9,
      size: 4,
      expected: [
        [0, 1, 2],
        [3, 4, 5],
        [6, 7, 8],
      ],
    },
    {
      pieces: 8,
      size: 4,
      expected: [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
    },
  ])('$pieces pieces in windows of at most $size', ({ pieces, size, expected }) => {
    expect(
      windowPieces(
        Array.from({ length: pieces }, (_, index) => index),
        size,
      ),
    ).toEqual(expected);
  });
});
