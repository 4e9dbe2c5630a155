import { describe, expect, it } from 'vitest';
import { keywordRankedFiles } from '../../../helpers/keyword-ranking.js';

/**
 * A reference page whose outer heading is the question's word: every section under it carries
 * "Request" in its section path, whatever the section says.
 */
// Each section about a chunk long (100 tokens), so each is its own chunk under the same path.
const filler =
  'It is filled in before the handler runs and stays the same for the rest of the lifecycle, so hooks and handlers alike read it without parsing anything again; a plugin registered later sees it as well, and nothing here changes between versions of the framework or across the operating systems it supports today.';
const reference = [
  '# Reference',
  '',
  '## Request',
  '',
  '### Request.body',
  '',
  `The body property holds the parsed payload of the incoming message. ${filler}`,
  '',
  '### Request.query',
  '',
  `The query property holds the parsed query string. ${filler}`,
  '',
  '### Request.params',
  '',
  `The params property holds the parameters matched in the URL. ${filler}`,
  '',
].join('\n');

/** A guide whose body says how to do what the question asks. */
const guide = [
  '# Decorators',
  '',
  '## Decorating',
  '',
  `Give the request a property: decorate the request, and each request has it. ${filler}`,
  '',
].join('\n');

// hybrid-search.ts fieldWeights: at headings 2 the first two hits were reference.md's sections,
// which say "property" but are about the request only through their section path.
describe('keyword ranking weighs a section path as body text', () => {
  it('ranks the passage that says the question above sections that only sit under a heading naming it', async () => {
    const ranked = await keywordRankedFiles(
      [
        ['reference.md', reference],
        ['decorators.md', guide],
      ],
      'How do I add a property to the request?',
      { limit: 20, environment: { CHUNK_SIZE_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '0' } },
    );
    expect(ranked.length).toBeGreaterThan(2);
    expect(ranked[0]).toBe('decorators.md');
  });
});
