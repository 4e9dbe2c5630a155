import { describe, expect, it } from 'vitest';
import { endMarkOf, piperPhonemeIds } from './piper-phonemes.js';

// A slice of a real Piper voice's phoneme_id_map (en_US-joe-medium.onnx.json).
const idMap = {
  _: [0],
  '^': [1],
  $: [2],
  ' ': [3],
  '!': [4],
  ',': [8],
  '.': [10],
  '?': [13],
  h: [20],
  ə: [59],
  l: [24],
  o: [27],
  ʊ: [100],
  ˈ: [120],
};

describe('piperPhonemeIds', () => {
  it.each([
    [
      'one clause, a statement',
      ['həlˈoʊ'],
      '.',
      [1, 0, 20, 0, 59, 0, 24, 0, 120, 0, 27, 0, 100, 0, 10, 0, 2],
    ],
    [
      'two clauses joined by a comma, a question',
      ['hə', 'lo'],
      '?',
      [1, 0, 20, 0, 59, 0, 8, 0, 3, 0, 24, 0, 27, 0, 13, 0, 2],
    ],
    ['unknown characters skipped, blank lines dropped', ['hX', '', ' '], '!', [1, 0, 20, 0, 4, 0, 2]],
  ])('%s', (_, clauses, mark, ids) => {
    expect(piperPhonemeIds(clauses, mark, idMap)).toEqual(ids);
  });
});

describe('endMarkOf', () => {
  it.each([
    ['Who approves it?', '?'],
    ['Stop!', '!'],
    ['He said "stop."', '.'],
    ['To rotate them,', ','],
    ['First this;', ','],
    ['no mark', '.'],
  ])('%s → %s', (sentence, mark) => {
    expect(endMarkOf(sentence)).toBe(mark);
  });
});
