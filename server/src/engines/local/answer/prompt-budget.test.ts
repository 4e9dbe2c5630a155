import { describe, expect, it } from 'vitest';
import { answerReserveTokens, fitPrompt, type PromptBudgetInput } from './prompt-budget.js';

const base: PromptBudgetInput = {
  windowTokens: 2048,
  maxPromptTokens: null,
  maxCompletionTokens: null,
  fixedTokens: 300,
  sourceTokens: [],
  historyTokens: [],
};

describe('answerReserveTokens', () => {
  it.each([
    [256, 128],
    [2048, 512],
    [8192, 2048],
    [131_072, 4096],
  ])('a %i-token window keeps %i for the answer', (window, reserve) => {
    expect(answerReserveTokens(window)).toBe(reserve);
  });
});

describe('fitPrompt', () => {
  it.each<[string, Partial<PromptBudgetInput>, object]>([
    [
      'everything fits',
      { sourceTokens: [200, 200], historyTokens: [50, 50] },
      { fits: true, sourceCount: 2, historyCount: 2, lastSourceTokens: null, promptTokens: 800 },
    ],
    [
      'the oldest history goes first, down to the previous exchange',
      // room: 2048 - 512 - 300 = 1236; sources 1000 leave 236 for history
      { sourceTokens: [500, 500], historyTokens: [100, 100, 100, 100, 100] },
      { fits: true, sourceCount: 2, historyCount: 2, promptTokens: 1500 },
    ],
    [
      'then the weakest sources, before the previous exchange',
      { sourceTokens: [600, 500, 400], historyTokens: [100, 100, 100] },
      { fits: true, sourceCount: 2, historyCount: 2, lastSourceTokens: 436, promptTokens: 1536 },
    ],
    [
      'a weak source is dropped rather than cut to a sliver',
      { sourceTokens: [1000, 400], historyTokens: [50, 50] },
      { fits: true, sourceCount: 1, historyCount: 2, lastSourceTokens: null, promptTokens: 1400 },
    ],
    [
      'then the previous exchange, then the best source is cut',
      { sourceTokens: [1300, 800], historyTokens: [100, 100] },
      { fits: true, sourceCount: 1, historyCount: 0, lastSourceTokens: 1236, promptTokens: 1536 },
    ],
    [
      'one chunk larger than the window is cut to fit',
      { sourceTokens: [5000], historyTokens: [] },
      { fits: true, sourceCount: 1, lastSourceTokens: 1236, promptTokens: 1536, completionTokens: 512 },
    ],
    [
      'no sources: only history is fitted',
      { sourceTokens: [], historyTokens: [700, 700, 700] },
      { fits: true, sourceCount: 0, historyCount: 1, promptTokens: 1000 },
    ],
    [
      'a small prompt leaves the rest of the window to the answer',
      { sourceTokens: [100] },
      { fits: true, promptTokens: 400, completionTokens: 1648 },
    ],
    [
      'max_completion_tokens caps the answer',
      { sourceTokens: [100], maxCompletionTokens: 300 },
      { fits: true, completionTokens: 300 },
    ],
    [
      'max_prompt_tokens is honoured like a smaller window',
      { sourceTokens: [400, 400, 400], historyTokens: [100, 100], maxPromptTokens: 1000 },
      { fits: true, sourceCount: 1, historyCount: 2, promptTokens: 900 },
    ],
    [
      'a window too small for one passage',
      { windowTokens: 512, fixedTokens: 400, sourceTokens: [300] },
      { fits: false, limit: 'window', neededTokens: 592, availableTokens: 512 },
    ],
    [
      'max_prompt_tokens too small for one passage',
      { fixedTokens: 300, sourceTokens: [300], maxPromptTokens: 320 },
      { fits: false, limit: 'max_prompt_tokens' },
    ],
  ])('%s', (_name, changes, expected) => {
    const budget = fitPrompt({ ...base, ...changes });
    expect(budget).toMatchObject(expected);
    if (budget.fits) {
      const window = changes.windowTokens ?? base.windowTokens;
      expect(budget.promptTokens + budget.completionTokens).toBeLessThanOrEqual(window);
      expect(budget.promptTokens).toBeLessThanOrEqual(changes.maxPromptTokens ?? window);
    }
  });
});
