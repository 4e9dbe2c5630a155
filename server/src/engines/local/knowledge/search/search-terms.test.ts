import { describe, expect, it } from 'vitest';
import { joinedPairs, lightStem, queryTerms, searchTerms, toMatchExpression } from './search-terms.js';

describe('searchTerms', () => {
  it.each([
    { text: 'How do I undo my last commit?', terms: ['undo', 'last', 'commit'] },
    { text: 'git reset --soft HEAD~1', terms: ['git', 'reset', 'soft', 'head', '1'] },
    { text: 'set commit.gpgSign', terms: ['set', 'gpgsign', 'commit', 'gpg', 'sign', 'commitgpgsign'] },
    { text: 'git-cherry-pick', terms: ['git', 'cherry', 'pick', 'gitcherrypick'] },
    { text: 'snake_case_name', terms: ['snak', 'case', 'name', 'snakecasename'] },
    { text: 'Ünïcode Café', terms: ['ünïcod', 'café'] },
    { text: '<|im_start|> "quoted"', terms: ['im', 'start', 'imstart', 'quot'] },
    // Contractions are the words they stand for, not rare fragments (`don`, `t`, `s`).
    { text: "What happens if I don't list any?", terms: ['happen', 'not', 'list', 'any'] },
    { text: 'Fastify’s hooks can’t and won’t', terms: ['fastify', 'hook', 'cannot', 'not'] },
    { text: "the repository's files aren't", terms: ['repository', 'file', 'not'] },
  ])('$text', ({ text, terms }) => {
    expect(searchTerms(text)).toEqual(terms);
  });

  it('keeps stop words when asked', () => {
    expect(searchTerms('how do I', { keepStopWords: true })).toEqual(['how', 'do', 'i']);
  });
});

describe('queryTerms', () => {
  it.each([
    { query: 'the stash the stash', terms: ['stash'] },
    { query: 'how do I', terms: ['how', 'do', 'i'] },
    { query: '???', terms: [] },
  ])('$query', ({ query, terms }) => {
    expect(queryTerms(query)).toEqual(terms);
  });
});

describe('toMatchExpression', () => {
  it.each([
    { terms: ['a', 'b'], expression: '"a" OR "b"' },
    { terms: ['say"hi'], expression: '"say""hi"' },
  ])('$terms', ({ terms, expression }) => {
    expect(toMatchExpression(terms)).toBe(expression);
  });
});

describe('lightStem', () => {
  it.each([
    ['commits', 'commit'],
    ['committed', 'commit'],
    ['committing', 'commit'],
    ['branches', 'branch'],
    ['entries', 'entry'],
    ['working', 'work'],
    ['rebasing', 'rebas'],
    ['rebase', 'rebas'],
    ['changes', 'chang'],
    ['changed', 'chang'],
    ['status', 'status'],
    ['class', 'class'],
    ['tree', 'tree'],
    ['ring', 'ring'],
    ['sha256', 'sha256'],
    ['red', 'red'],
  ])('%s → %s', (word, stem) => {
    expect(lightStem(word)).toBe(stem);
  });
});

describe('joinedPairs', () => {
  it.each([
    ["How can I check out only part of a large repository's files?", ['checkout', 'largerepository']],
    ['How do I log in, then set up a work tree?', ['login', 'setup', 'worktree']],
    ['its real host name', ['realhost', 'hostname', 'hostnam']],
  ])('%s', (text, included) => {
    expect(joinedPairs(text)).toEqual(expect.arrayContaining(included));
  });

  it('looks up a bounded number of joined forms for a pasted page', () => {
    const letters = 'abcdefghij';
    const words = Array.from(
      { length: 1000 },
      (_unused, index) =>
        `w${letters[index % 10]}${letters[Math.floor(index / 10) % 10]}${letters[Math.floor(index / 100)]}`,
    );
    expect(joinedPairs(words.join(' '))).toHaveLength(128);
  });

  it('joins no pair across punctuation nor one opening on a stop word', () => {
    const pairs = joinedPairs('Log, in then with out it: set. Up');
    expect(pairs).not.toContain('login');
    expect(pairs).not.toContain('without');
    expect(pairs).not.toContain('setup');
    expect(pairs).toEqual(['outit']);
  });

  it('joins no word with a digit, nor the letters around it', () => {
    // ".bz2 file" once joined `bz` and `file` into bzip2's C type BZFILE.
    const pairs = joinedPairs('decompress a .bz2 file, an ipv6 address list');
    expect(pairs).not.toContain('bzfile');
    expect(pairs).not.toContain('bz2file');
    expect(pairs).not.toContain('ipaddress');
    expect(pairs).not.toContain('ipv6address');
    expect(pairs).toContain('addresslist');
  });
});
