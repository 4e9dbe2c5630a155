import { describe, expect, it } from 'vitest';
import { fuseRankings, withPendingAtKeywordRank } from './rank-fusion.js';

describe('fuseRankings', () => {
  it.each([
    {
      name: 'first in both lists scores 1',
      keyword: ['a', 'b'],
      vector: ['a', 'c'],
      weights: [1, 1],
      order: ['a', 'b', 'c'],
      top: 1,
    },
    {
      name: 'agreement beats a single first place',
      keyword: ['x', 'y'],
      vector: ['z', 'y'],
      weights: [1, 1],
      order: ['y', 'x', 'z'],
      top: 2 / 62 / (2 / 61),
    },
    {
      name: 'vector weight 0 ignores the vector list',
      keyword: ['a', 'b'],
      vector: ['c'],
      weights: [1, 0],
      order: ['a', 'b'],
      top: 1,
    },
    {
      name: 'heavier keyword weight wins ties of rank',
      keyword: ['k'],
      vector: ['v'],
      weights: [2, 1],
      order: ['k', 'v'],
      top: 2 / 61 / (3 / 61),
    },
    { name: 'empty lists', keyword: [], vector: [], weights: [1, 1], order: [], top: undefined },
    { name: 'all weights zero', keyword: ['a'], vector: ['a'], weights: [0, 0], order: [], top: undefined },
  ])('$name', ({ keyword, vector, weights, order, top }) => {
    const fused = fuseRankings([
      { name: 'keyword', weight: weights[0] ?? 0, ids: keyword },
      { name: 'vector', weight: weights[1] ?? 0, ids: vector },
    ]);
    expect(fused.map((result) => result.id)).toEqual(order);
    if (top === undefined) expect(fused[0]).toBeUndefined();
    else expect(fused[0]?.score).toBeCloseTo(top, 10);
    for (const result of fused) {
      expect(result.score).toBeGreaterThan(0);
      expect(result.score).toBeLessThanOrEqual(1);
    }
  });

  it('fuses a third, lighter title list', () => {
    const fused = fuseRankings([
      { name: 'keyword', weight: 1, ids: ['a', 'b'] },
      { name: 'vector', weight: 1, ids: ['a', 'b'] },
      { name: 'title', weight: 0.3, ids: ['b'] },
    ]);
    // Second in both lists plus a title match beats first in both without one.
    expect(fused.map((result) => result.id)).toEqual(['b', 'a']);
    expect(fused[0]?.ranks).toEqual({ keyword: 2, vector: 2, title: 1 });
    expect(fused[0]?.score).toBeCloseTo((2 / 62 + 0.3 / 61) / (2.3 / 61), 10);
  });

  it('reports each list rank', () => {
    const [first] = fuseRankings([
      { name: 'keyword', weight: 1, ids: ['a', 'b'] },
      { name: 'vector', weight: 1, ids: ['b'] },
    ]);
    expect(first).toMatchObject({ id: 'b', ranks: { keyword: 2, vector: 1 } });
  });
});

describe('withPendingAtKeywordRank', () => {
  it.each([
    ['nothing pending: the vector ranking as it is', [1, 2, 3], [3, 9], [], [1, 2, 3]],
    ['no vectors yet: the keyword ranking', [], [7, 8, 9], [7, 8, 9], [7, 8, 9]],
    [
      'a pending chunk at its keyword rank, after the vector chunk of that rank',
      [1, 2, 3],
      [9, 2, 8],
      [9, 8],
      [1, 9, 2, 3, 8],
    ],
    ['an embedded keyword candidate keeps only its vector rank', [1, 2], [2, 5], [5], [1, 2, 5]],
  ])('%s', (_name, vector, keyword, pending, expected) => {
    expect(withPendingAtKeywordRank(vector, keyword, new Set(pending))).toEqual(expected);
  });
});
