import { describe, expect, it } from 'vitest';
import { estimateUsage, warmUpTokenCounting } from './estimate-usage.js';

const context = {
  query: 'How do I set the editor?',
  hits: [
    {
      fileId: 'file-1',
      fileName: 'git-config.txt',
      chunkId: 'chunk-1',
      keywordRank: 1,
      vectorRank: null,
      score: 1,
      text: 'Set core.editor to choose the editor. <|endoftext|> is text here.',
    },
  ],
  messageIndex: 0,
  toolRounds: [],
};

describe('estimateUsage', () => {
  it('counts the same before and after the warm-up (the warm-up only warms)', () => {
    const before = estimateUsage(context, [], 'Run git config core.editor.', null);
    expect(warmUpTokenCounting()).toBeGreaterThan(500);
    const after = estimateUsage(context, [], 'Run git config core.editor.', null);
    expect(after).toEqual(before);
    expect(before.prompt_tokens).toBeGreaterThan(10);
    expect(before.total_tokens).toBe(before.prompt_tokens + before.completion_tokens);
  });
});
