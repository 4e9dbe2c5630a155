import type { ModelInfo } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { chooseAssistantModel, isBetterChoice } from './assistant-model.js';

const extractive: ModelInfo = {
  id: 'threadline-extractive',
  ownedBy: 'threadline',
  description: '',
  answerKind: 'extractive',
};
const llm: ModelInfo = { id: 'qwen3:8b', ownedBy: 'llm-endpoint', description: '', answerKind: 'generative' };
/** A server that does not say how its models answer (OpenAI, vLLM, Ollama). */
const plain = (id: string): ModelInfo => ({ id, ownedBy: 'system', description: '' });

describe('chooseAssistantModel', () => {
  it.each<[string, ModelInfo[], { named?: string; configured: string }, string, string]>([
    [
      'ASSISTANTS_MODEL wins, listed or not',
      [extractive, llm],
      { named: 'other', configured: 'gpt-4.1-mini' },
      'other',
      'ASSISTANTS_MODEL',
    ],
    [
      'a Threadline engine node with a model: the model, not the first listed',
      [extractive, llm],
      { configured: 'gpt-4.1-mini' },
      'qwen3:8b',
      'first model that writes answers',
    ],
    [
      'a Threadline engine node without a model: extractive, said so',
      [extractive],
      { configured: 'gpt-4.1-mini' },
      'threadline-extractive',
      'no model writes answers',
    ],
    [
      'the configured model when the server lists it',
      [plain('gpt-4o'), plain('gpt-4.1-mini')],
      { configured: 'gpt-4.1-mini' },
      'gpt-4.1-mini',
      'configured model listed',
    ],
    [
      'the configured model only if it writes',
      [extractive, llm],
      { configured: 'threadline-extractive' },
      'qwen3:8b',
      'first model that writes answers',
    ],
    [
      'a server that does not say: its first model writes',
      [plain('llama3')],
      { configured: 'gpt-4.1-mini' },
      'llama3',
      'first model that writes answers',
    ],
    [
      'no models listed: the configured one',
      [],
      { configured: 'gpt-4.1-mini' },
      'gpt-4.1-mini',
      'no models listed',
    ],
  ])('%s', (_name, listed, preference, model, reason) => {
    expect(chooseAssistantModel(listed, preference)).toEqual({ model, reason });
  });
});

describe('isBetterChoice', () => {
  const listed = [extractive, llm];
  it.each<[string, string, ReturnType<typeof chooseAssistantModel>, boolean]>([
    [
      'an assistant made on the extractive model moves to the writer',
      'threadline-extractive',
      { model: 'qwen3:8b', reason: 'first model that writes answers' },
      true,
    ],
    [
      'the same model stays',
      'qwen3:8b',
      { model: 'qwen3:8b', reason: 'first model that writes answers' },
      false,
    ],
    ['ASSISTANTS_MODEL changed: it moves', 'qwen3:8b', { model: 'other', reason: 'ASSISTANTS_MODEL' }, true],
    [
      'a model gone from the server is replaced',
      'old-model',
      { model: 'qwen3:8b', reason: 'first model that writes answers' },
      true,
    ],
    [
      'a writer is kept even if another is listed first',
      'qwen3:8b',
      { model: 'threadline-extractive', reason: 'no model writes answers' },
      false,
    ],
  ])('%s', (_name, current, choice, expected) => {
    expect(isBetterChoice(current, choice, listed)).toBe(expected);
  });
});
