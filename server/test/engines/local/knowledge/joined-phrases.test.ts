import { describe, expect, it } from 'vitest';
import { keywordRankedFiles } from '../../../helpers/keyword-ranking.js';

/** A page that writes the question's phrase as one word ("checkout"), as Git's documentation does. */
const sparse = [
  '# sparse-checkout',
  '',
  'Reduce your working tree to a subset of tracked paths: a sparse checkout.',
  '',
].join('\n');

/** A page that says the phrase's words apart, about something else. */
const objects = [
  '# cat-file',
  '',
  'Check each object and print out its type; only objects named on standard input are read, in part.',
  '',
].join('\n');

/** Other commands' pages, where "check", "out", "only" and "part" are everyday words. */
const others = Array.from({ length: 8 }, (_unused, index) =>
  [`# command-${index}`, '', `Only check out part of the output of command ${index} when asked.`, ''].join(
    '\n',
  ),
);

// search-terms.ts joinedPairs: without the joined form, the page that says "check", "out",
// "only" and "part" ranked first, and the sparse checkout page did not match the question at all.
describe('keyword ranking of a phrase the documents write as one word', () => {
  it('finds "checkout" for "check out"', async () => {
    const ranked = await keywordRankedFiles(
      [
        ['git-sparse-checkout.md', sparse],
        ['git-cat-file.md', objects],
        ...others.map((text, index) => [`command-${index}.md`, text] as const),
      ],
      'How can I check out only part of the files?',
      { limit: 10 },
    );
    expect(ranked[0]).toBe('git-sparse-checkout.md');
  });
});
