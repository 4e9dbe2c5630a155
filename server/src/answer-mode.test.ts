import { describe, expect, it } from 'vitest';
import { answerModeText } from './answer-mode.js';

const base = {
  ENGINE: 'local' as const,
  LLM_BASE_URL: undefined,
  LLM_MODEL: 'gpt-4o-mini',
  OPENAI_MODEL: 'gpt-4.1-mini',
  ASSISTANTS_BASE_URL: undefined,
};

describe('answerModeText', () => {
  it('says answers are quoted, and how to get written ones, when no model is configured', () => {
    const text = answerModeText(base);
    expect(text).toMatch(/^Answers: quoted from your documents/);
    expect(text).toContain('LLM_BASE_URL');
  });

  it.each([
    [
      { ...base, LLM_BASE_URL: 'http://127.0.0.1:11434/v1', LLM_MODEL: 'qwen3:4b' },
      'written by qwen3:4b at 127.0.0.1:11434',
    ],
    [{ ...base, ENGINE: 'openai' as const }, 'written by OpenAI (gpt-4.1-mini'],
    [
      { ...base, ENGINE: 'assistants' as const, ASSISTANTS_BASE_URL: 'https://example.test/v1' },
      'example.test',
    ],
  ])('names the model that writes them: %j', (config, expected) => {
    expect(answerModeText(config)).toContain(expected);
  });
});
