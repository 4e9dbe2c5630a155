import { describe, expect, it } from 'vitest';
import { normaliseDashes } from './normalise-dashes.js';

describe('normaliseDashes', () => {
  it.each([
    ['git stash push \u2212\u2212include\u2212untracked', 'git stash push --include-untracked'],
    ['[\u2212q | \u2212\u2212quiet]', '[-q | --quiet]'],
    ['non\u2011breaking hy\u2010phen', 'non-breaking hy-phen'],
    ['git stash \u2013all', 'git stash --all'],
    ['expenses submit \u2013\u2013month 5', 'expenses submit --month 5'],
    ['run it with \u2014include-untracked', 'run it with --include-untracked'],
    ['(\u2013m)', '(--m)'],
    ['hyphen\u00ADation', 'hyphenation'],
    ['git reset --soft HEAD\u02C6 or HEAD\u02DC2', 'git reset --soft HEAD^ or HEAD~2'],
    ['pages 3\u20135', 'pages 3\u20135'],
    ['this \u2014 that', 'this \u2014 that'],
    ['a\u2014b', 'a\u2014b'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseDashes(input)).toBe(expected);
  });
});
