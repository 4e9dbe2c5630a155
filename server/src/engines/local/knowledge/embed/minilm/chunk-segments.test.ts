import { describe, expect, it } from 'vitest';
import { chunkSegments } from './chunk-segments.js';

const chunk = (text: string, start: number, context = 'Doc') => ({
  text: text.slice(start, start + 8),
  embeddingText: '',
  embeddingContext: context,
  documentSummary: '',
  start,
  end: Math.min(text.length, start + 8),
});

describe('chunkSegments', () => {
  it('embeds text shared by overlapping chunks once and gives it to both', () => {
    const text = 'aaaabbbbccccdddd';
    const { segments, chunkSegmentIndexes } = chunkSegments([chunk(text, 0), chunk(text, 4), chunk(text, 8)]);
    expect(segments.map((segment) => segment.text)).toEqual(['aaaa', 'bbbb', 'cccc', 'dddd']);
    expect(chunkSegmentIndexes).toEqual([
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  it('skips blank gaps and keeps a lone chunk whole', () => {
    const only = {
      text: 'hello',
      embeddingText: '',
      embeddingContext: 'T',
      documentSummary: '',
      start: 3,
      end: 8,
    };
    expect(chunkSegments([only])).toEqual({
      segments: [{ context: 'T', text: 'hello' }],
      chunkSegmentIndexes: [[0]],
    });
  });
});
