import { describe, expect, it } from 'vitest';
import { initialRunState, type RunState } from '../../lib/run-outcome.js';
import { compareMetrics, estimateTokens, formatMs, formatRate } from './compare-metrics.js';

const state = (overrides: Partial<RunState>): RunState => ({
  ...initialRunState,
  phase: 'finished',
  ...overrides,
});

describe('compareMetrics', () => {
  it('measures first token, total, estimated tokens per second and distinct citations', () => {
    const text = 'A'.repeat(400) + '【1†a.md】 again【1†a.md】 other【2†b.md】';
    const metrics = compareMetrics(
      state({
        outcome: 'completed',
        startedAt: 1000,
        firstTokenAt: 1250,
        endedAt: 3250,
        messages: [{ id: 'm', text, citations: [] }],
      }),
    );
    expect(metrics).toEqual({
      outcome: 'completed',
      timeToFirstTokenMs: 250,
      totalMs: 2250,
      estimatedTokens: Math.ceil((400 + ' again other'.length) / 4),
      tokensPerSecond: Math.ceil((400 + ' again other'.length) / 4) / 2,
      citations: 2,
    });
  });

  it('leaves rates empty when no token arrived', () => {
    const metrics = compareMetrics(state({ outcome: 'dropped', startedAt: 0, endedAt: 10 }));
    expect(metrics).toMatchObject({
      timeToFirstTokenMs: null,
      totalMs: 10,
      tokensPerSecond: null,
      estimatedTokens: 0,
    });
  });

  it.each([
    ['', 0],
    ['abcd', 1],
    ['abcde', 2],
    ['ab【1†x】', 1],
  ])('estimateTokens(%j) = %i', (text, tokens) => expect(estimateTokens(text)).toBe(tokens));

  it('formats', () => {
    expect([formatMs(null), formatMs(12.4), formatMs(1500), formatRate(12.345)]).toEqual([
      '—',
      '12 ms',
      '1.50 s',
      '12.3 tok/s',
    ]);
  });
});
