import type { ModelInfo } from '@threadline/shared';
import type { Config } from '../../config.js';
import type { Answerer } from './answer/answer-piece.js';
import { createLlmAnswerer, type AnswerLogger } from './answer/llm-answerer.js';
import { createPassageAnswerer } from './answer/passage-answer.js';
import type { AnswerEvidence } from './answer/answer-evidence.js';
import { extractiveModelId } from './runs/run-objects.js';

export type ModelConfig = Pick<Config, 'LLM_BASE_URL' | 'LLM_API_KEY' | 'LLM_MODEL'> &
  Partial<Pick<Config, 'LLM_CONTEXT_TOKENS'>>;

/** The endpoint, once start-up has resolved `auto` (see answer-mode.ts); an unresolved `auto` is none. */
const endpointOf = (config: ModelConfig): string | null =>
  config.LLM_BASE_URL && config.LLM_BASE_URL !== 'auto' ? config.LLM_BASE_URL : null;

/** With an LLM endpoint configured its model is the default; the extractive one is always there. */
export const defaultModelOf = (config: ModelConfig): string =>
  endpointOf(config) ? config.LLM_MODEL : extractiveModelId;

export function localModelsOf(config: ModelConfig): ModelInfo[] {
  const models: ModelInfo[] = [
    {
      id: extractiveModelId,
      ownedBy: 'threadline',
      description: 'Model-free extractive answers: the passage that answers the question, quoted and cited.',
      answerKind: 'extractive',
    },
  ];
  const endpoint = endpointOf(config);
  if (endpoint) {
    models.push({
      id: config.LLM_MODEL,
      ownedBy: 'llm-endpoint',
      description: `Grounded answers streamed from ${new URL(endpoint).host}.`,
      answerKind: 'generative',
    });
  }
  return models;
}

/**
 * Any model name other than the extractive one goes to the endpoint (it may serve several);
 * without an endpoint every run answers extractively.
 */
export function createAnswererFor(
  config: ModelConfig,
  evidence: AnswerEvidence = {},
  logger?: AnswerLogger,
): (model: string) => Answerer {
  const extractiveAnswerer = createPassageAnswerer(evidence);
  const endpoint = endpointOf(config);
  const llmAnswerer = endpoint
    ? createLlmAnswerer({
        baseURL: endpoint,
        apiKey: config.LLM_API_KEY ?? 'not-needed',
        evidence,
        contextTokens: config.LLM_CONTEXT_TOKENS,
        logger,
      })
    : null;
  return (model) => (llmAnswerer && model !== extractiveModelId ? llmAnswerer : extractiveAnswerer);
}
