import { describe, expect, it } from 'vitest';
import { postingsBudget } from './hybrid-search.js';
import { bm25Idf, keywordTerms, withinPostingsBudget } from './postgres-search.js';

const statistics = (counts: Record<string, number>) => ({
  documents: 100_000,
  averageLength: 300,
  frequency: (term: string) => counts[term] ?? 0,
  titleFrequency: () => 0,
});

describe('bm25Idf (FTS5’s idf)', () => {
  it.each([
    [1000, 0, Math.log(1000.5 / 0.5)],
    [1000, 10, Math.log(990.5 / 10.5)],
    [1000, 500, 1e-6], // log(1) = 0: floored, as FTS5 does
    [1000, 999, 1e-6],
  ])('N %i, n %i → %f', (documents, found, expected) => {
    expect(bm25Idf(documents, found)).toBeCloseTo(expected, 9);
  });
});

describe('withinPostingsBudget', () => {
  it.each([
    { terms: ['git'], counts: { git: 90_000 }, kept: ['git'] },
    {
      terms: ['git', 'rebase', 'the'],
      counts: { git: 9_000, rebase: 300, the: 99_000 },
      kept: ['rebase', 'git'],
    },
    { terms: ['git', 'the'], counts: { git: 60_000, the: 99_000 }, kept: ['git'] },
    { terms: ['newword', 'git'], counts: { git: 9_000 }, kept: ['newword', 'git'] },
  ])('keeps the rarest of $terms within the budget', ({ terms, counts, kept }) => {
    expect(withinPostingsBudget(terms, statistics(counts))).toEqual(kept);
  });

  it('is the same budget SQLite prunes to', () => {
    expect(postingsBudget).toBe(10_000);
  });
});

describe('keywordTerms', () => {
  it('adds the phrases the documents write as one word, as SQLite’s pruning keeps them', () => {
    const terms = keywordTerms('How do I check out part of it?', statistics({ checkout: 12, outpart: 0 }));
    expect(terms).toEqual(['check', 'out', 'part', 'checkout']);
  });

  it('adds none without statistics to tell', () => {
    expect(keywordTerms('check out', undefined)).toEqual(['check', 'out']);
  });
});
