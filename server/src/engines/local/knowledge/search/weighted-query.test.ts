import { describe, expect, it } from 'vitest';
import { weightedText } from './weighted-query.js';

describe('weightedText', () => {
  it.each([
    ['no emphasis: the query as written', 'a\nb', null, 'a\nb'],
    ['weight 2: the emphasised words once more', 'a\nb', { text: 'b', weight: 2 }, 'a\nb\nb'],
    ['weight 3: twice more', 'a\nb', { text: 'b', weight: 3 }, 'a\nb\nb\nb'],
    ['weight 1: no more than the query', 'a\nb', { text: 'b', weight: 1 }, 'a\nb'],
    ['blank emphasis: nothing added', 'a', { text: '  ', weight: 2 }, 'a'],
  ])('%s', (_case, query, emphasis, expected) => {
    expect(weightedText(query, emphasis)).toBe(expected);
  });
});
