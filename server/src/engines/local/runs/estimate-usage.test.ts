import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
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

  it('counts the prompt part by part within a token a part of the joined text, and the same again', () => {
    const chunk = (topic: string) =>
      `# ${topic}\n\nRun \`git ${topic} --help\` for every option.   \n\n| option | meaning |\n|---|---|\n| -v | verbose |\n`.repeat(
        20,
      );
    const hits = ['stash', 'rebase', 'worktree'].map((topic, index) => ({
      ...context.hits[0]!,
      chunkId: `chunk-${index}`,
      text: chunk(topic),
    }));
    const many = { ...context, hits };
    const joined = ['', ...hits.map((hit) => hit.text)].join('\n');
    const exact = countTokens(joined, { disallowedSpecial: new Set() });
    const first = estimateUsage(many, [], 'ok', null);
    expect(Math.abs(first.prompt_tokens - exact)).toBeLessThanOrEqual(hits.length + 1);
    // The second turn over the same chunks reads its counts from the cache: the same figure.
    expect(estimateUsage(many, [], 'ok', null)).toEqual(first);
  });
});
