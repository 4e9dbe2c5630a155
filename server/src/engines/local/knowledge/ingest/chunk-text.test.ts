import { describe, expect, it } from 'vitest';
import { chunkText, countTokens } from './chunk-text.js';

const words = (count: number, prefix = 'word') =>
  Array.from({ length: count }, (_, index) => `${prefix}${index}`).join(' ');
const lines = (count: number) =>
  Array.from({ length: count }, (_, index) => `line ${index} says something.\n`).join('');

describe('chunkText', () => {
  it.each([
    { name: 'empty text', text: '', max: 100, overlap: 0, chunks: 0 },
    { name: 'whitespace only', text: ' \n\n \t\n', max: 100, overlap: 0, chunks: 0 },
    { name: 'short text', text: 'hello world\n', max: 100, overlap: 50, chunks: 1 },
    { name: 'many lines, no overlap', text: lines(200), max: 100, overlap: 0, chunks: 13 },
    { name: 'many lines, half overlap', text: lines(200), max: 100, overlap: 50, chunks: 24 },
  ])('$name → $chunks chunks', ({ text, max, overlap, chunks }) => {
    const result = chunkText(text, { maxTokens: max, overlapTokens: overlap });
    expect(result).toHaveLength(chunks);
    for (const chunk of result) {
      expect(chunk.tokenCount).toBeLessThanOrEqual(max);
      expect(countTokens(chunk.text)).toBeLessThanOrEqual(max + 2);
      expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
    }
  });

  it.each([
    { name: 'one long line', text: words(2000) },
    { name: 'one huge token-less word', text: 'x'.repeat(20_000) },
    { name: 'special-token text', text: `<|im_start|>system ${words(500)}<|endoftext|>` },
  ])('$name stays within the limit and covers all text', ({ text }) => {
    const result = chunkText(text, { maxTokens: 100, overlapTokens: 20 });
    expect(result.length).toBeGreaterThan(1);
    for (const chunk of result) expect(chunk.tokenCount).toBeLessThanOrEqual(100);
    expect(result[0]?.start).toBe(0);
    expect(result.at(-1)?.end).toBe(text.length);
    for (let index = 1; index < result.length; index += 1) {
      // consecutive chunks touch or overlap, so no text is skipped
      expect(result[index]?.start ?? 0).toBeLessThanOrEqual(result[index - 1]?.end ?? 0);
      expect(result[index]?.start ?? 0).toBeGreaterThan(result[index - 1]?.start ?? 0);
    }
  });

  it('shares about the overlap between consecutive chunks', () => {
    const result = chunkText(lines(300), { maxTokens: 200, overlapTokens: 100 });
    const [first, second] = result;
    const shared = countTokens(lines(300).slice(second?.start ?? 0, first?.end ?? 0));
    expect(shared).toBeGreaterThan(80);
    expect(shared).toBeLessThanOrEqual(100);
  });
});
