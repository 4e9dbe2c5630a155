import { describe, expect, it } from 'vitest';
import { comparedThings } from './compared-things.js';

describe('comparedThings', () => {
  it('reads the two things a question compares, as their entries may be named', () => {
    expect(comparedThings('What is the difference between dependencies and devDependencies?')).toEqual([
      ['dependencies'],
      ['devdependencies'],
    ]);
    expect(comparedThings('What is the difference between `git merge` and `git rebase`?')).toEqual([
      ['git merge'],
      ['git rebase'],
    ]);
    // What follows the second thing ("when …", "in …") is the question's setting, not its name.
    expect(
      comparedThings('What is the difference between merge and rebase when integrating upstream changes?'),
    ).toEqual([['merge'], ['rebase']]);
    expect(comparedThings('--soft vs --hard')).toEqual([['--soft'], ['--hard']]);
    expect(comparedThings('How does a soft link differ from a hard link?')).toEqual([
      ['soft link', 'soft'],
      ['hard link', 'hard'],
    ]);
  });

  it('names each thing with and without a last word the question gives only once', () => {
    expect(comparedThings('What is the difference between a soft and a hard limit?')).toEqual([
      ['soft', 'soft limit'],
      ['hard limit', 'hard'],
    ]);
    expect(comparedThings('How does a soft limit differ from a hard one?')).toEqual([
      ['soft limit', 'soft'],
      ['hard', 'hard limit'],
    ]);
  });

  it('is null for any other question, and for two descriptions rather than names', () => {
    expect(comparedThings('How do I add a dependency?')).toBeNull();
    expect(comparedThings('What is the difference?')).toBeNull();
    expect(comparedThings('What is the difference between dependencies and dependencies?')).toBeNull();
    expect(
      comparedThings(
        'What is the difference between keeping all my old files around and deleting every one of them at once?',
      ),
    ).toBeNull();
  });
});
