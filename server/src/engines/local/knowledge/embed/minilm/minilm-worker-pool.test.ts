import { describe, expect, it } from 'vitest';
import { queryPieceCount } from './minilm-worker-pool.js';

describe('queryPieceCount', () => {
  it.each([
    { texts: 1, idle: 2, pieces: 1 },
    { texts: 2, idle: 2, pieces: 1 },
    // A turn with four or five new passages: both query workers (one piece of 5 was 1.7 s at load 11).
    { texts: 4, idle: 2, pieces: 2 },
    { texts: 5, idle: 2, pieces: 2 },
    { texts: 14, idle: 2, pieces: 2 },
    // Only free workers count: one busy, one piece; none free, the request still goes out whole.
    { texts: 14, idle: 1, pieces: 1 },
    { texts: 14, idle: 0, pieces: 1 },
  ])('$texts texts over $idle idle query workers: $pieces piece(s)', ({ texts, idle, pieces }) => {
    expect(queryPieceCount(texts, idle)).toBe(pieces);
  });
});
