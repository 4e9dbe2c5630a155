import { describe, expect, it } from 'vitest';
import { embedLocally } from './local-embedding.js';

const dot = (left: Float32Array, right: Float32Array) =>
  left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

describe('embedLocally', () => {
  it('is unit length and deterministic', () => {
    const vector = embedLocally('rebase the branch onto main');
    expect(dot(vector, vector)).toBeCloseTo(1, 5);
    expect(embedLocally('rebase the branch onto main')).toEqual(vector);
  });

  it('returns a zero vector for text without terms', () => {
    expect(embedLocally('?!').every((value) => value === 0)).toBe(true);
  });

  it.each([
    { query: 'rebasing branches', near: 'how to rebase a branch', far: 'configure the mail server' },
    { query: 'stash changes', near: 'git stash saves your changes', far: 'blame shows authors of lines' },
  ])('$query is nearer to related text', ({ query, near, far }) => {
    const vector = embedLocally(query);
    expect(dot(vector, embedLocally(near))).toBeGreaterThan(dot(vector, embedLocally(far)));
  });
});
