import { describe, expect, it } from 'vitest';
import { warmUpSearch } from './search-warm-up.js';

describe('warmUpSearch', () => {
  it.each([
    { name: 'every store within the budget', sizes: [10, 20, 30], budget: 100, warmed: 3 },
    { name: 'stops once the budget is held', sizes: [60, 50, 10], budget: 100, warmed: 2 },
    {
      name: 'the first store even when it alone exceeds the budget',
      sizes: [500, 1],
      budget: 100,
      warmed: 1,
    },
    { name: 'nothing to warm', sizes: [], budget: 100, warmed: 0 },
  ])('$name', async ({ sizes, budget, warmed }) => {
    let held = 0;
    const ids = sizes.map((_, index) => `vs_${index}`);
    const result = await warmUpSearch({
      vectorStoreIds: ids,
      warm: (id) => Promise.resolve((held += sizes[ids.indexOf(id)] ?? 0)),
      isStopped: () => false,
      budget,
    });
    expect(result).toEqual(ids.slice(0, warmed));
  });

  it('stops when the knowledge base closes, between stores', async () => {
    let isStopped = false;
    const result = await warmUpSearch({
      vectorStoreIds: ['vs_a', 'vs_b', 'vs_c'],
      warm: () => {
        isStopped = true;
        return Promise.resolve(1);
      },
      isStopped: () => isStopped,
    });
    expect(result).toEqual(['vs_a']);
  });
});
