import { describe, expect, it } from 'vitest';
import { weightedTerms, weightedText } from './weighted-query.js';

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

describe('weightedTerms', () => {
  it.each([
    ['no emphasis: the terms as they are', ['rebas', 'onto'], null, ['rebas', 'onto']],
    [
      'weight 2: the emphasised terms once more',
      ['rebas', 'onto'],
      { text: 'rebase', weight: 2 },
      ['rebas', 'onto', 'rebas'],
    ],
    [
      'weight 3: twice more',
      ['rebas', 'onto'],
      { text: 'rebase', weight: 3 },
      ['rebas', 'onto', 'rebas', 'rebas'],
    ],
    ['weight 1: nothing added', ['rebas'], { text: 'rebase', weight: 1 }, ['rebas']],
    [
      'an emphasised word the terms lack (pruned): not added',
      ['onto'],
      { text: 'rebase', weight: 2 },
      ['onto'],
    ],
  ])('%s', (_case, terms, emphasis, expected) => {
    expect(weightedTerms(terms, emphasis)).toEqual(expected);
  });
});
