import { resolveCitations } from '../../lib/citations.js';
import { answerText, type RunOutcome, type RunState } from '../../lib/run-outcome.js';

/**
 * Numbers a migration team compares. Tokens are ESTIMATED as characters / 4 (OpenAI's rule of
 * thumb for English), counted on the answer text with citation markers removed, because the
 * legacy route reports no usage; tokens per second are measured over the generation time
 * (first token → end), so connection set-up is not counted twice.
 */
export type CompareMetrics = {
  outcome: RunOutcome | null;
  timeToFirstTokenMs: number | null;
  totalMs: number | null;
  estimatedTokens: number;
  tokensPerSecond: number | null;
  citations: number;
};

const markerPattern = /【[^】\n]*】/g;

export const estimateTokens = (text: string): number => Math.ceil(text.replace(markerPattern, '').length / 4);

export function compareMetrics(state: RunState): CompareMetrics {
  const text = answerText(state);
  const { startedAt, firstTokenAt, endedAt } = state;
  const estimatedTokens = estimateTokens(text);
  const generationSeconds =
    firstTokenAt !== null && endedAt !== null ? (endedAt - firstTokenAt) / 1000 : null;
  return {
    outcome: state.outcome,
    timeToFirstTokenMs: startedAt !== null && firstTokenAt !== null ? firstTokenAt - startedAt : null,
    totalMs: startedAt !== null && endedAt !== null ? endedAt - startedAt : null,
    estimatedTokens,
    tokensPerSecond:
      generationSeconds !== null && generationSeconds > 0 && estimatedTokens > 0
        ? estimatedTokens / generationSeconds
        : null,
    citations: resolveCitations(
      text,
      state.messages.flatMap((message) => message.citations),
    ).sources.length,
  };
}

export const formatMs = (value: number | null) =>
  value === null ? '—' : value < 1000 ? `${Math.round(value)} ms` : `${(value / 1000).toFixed(2)} s`;
export const formatRate = (value: number | null) => (value === null ? '—' : `${value.toFixed(1)} tok/s`);
