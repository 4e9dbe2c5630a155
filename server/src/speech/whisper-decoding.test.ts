import { describe, expect, it } from 'vitest';
import {
  causalMask,
  decodeWindow,
  likeliestLanguage,
  likeliestTokens,
  promptTokens,
  type DecoderStep,
} from './whisper-decoding.js';

// Whisper's multilingual ids (tokenizer.json of whisper-base).
const specials = {
  endOfText: 50257,
  startOfTranscript: 50258,
  startOfPrevious: 50361,
  transcribe: 50359,
  noTimestamps: 50363,
};
const english = 50259;
const vocabulary = 51865;

/** Logits preferring `order` (first highest). */
function logitsFor(...order: number[]): Float32Array {
  const logits = new Float32Array(vocabulary).fill(-10);
  order.forEach((token, rank) => (logits[token] = 10 - rank));
  return logits;
}

describe('promptTokens', () => {
  it.each([
    ['no previous text: the task alone', [], [50258, english, 50359, 50363]],
    ['previous text after <|startofprev|>', [1, 2], [50361, 1, 2, 50258, english, 50359, 50363]],
    [
      'only the last 223 previous tokens',
      Array.from({ length: 300 }, (_, index) => index),
      [50361, ...Array.from({ length: 223 }, (_, index) => 77 + index), 50258, english, 50359, 50363],
    ],
  ])('%s', (_, previous, prompt) => {
    expect(promptTokens({ specials, language: english, previous })).toEqual(prompt);
  });
});

describe('causalMask', () => {
  it.each([
    ['one token sees the whole cache', 1, 3, [0, 0, 0, 0]],
    ['three fresh tokens: each sees itself and earlier ones', 3, 0, [0, -1e9, -1e9, 0, 0, -1e9, 0, 0, 0]],
    ['two tokens after one cached', 2, 1, [0, 0, -1e9, 0, 0, 0]],
  ])('%s', (_, count, past, mask) => {
    expect([...causalMask(count, past)]).toEqual(mask.map((value) => Math.fround(value)));
  });
});

describe('likeliestTokens and likeliestLanguage', () => {
  it.each([
    ['the likeliest text tokens, best first', logitsFor(42, 7, 9), [], [42, 7]],
    ['a timestamp token is never picked', logitsFor(50364, 42, 7), [], [42, 7]],
    ['a language or task token is never picked', logitsFor(50259, 50363, 9, 8), [], [9, 8]],
    ['a suppressed token is skipped', logitsFor(220, 11, 12), [220], [11, 12]],
    ['<|endoftext|> when it ranks', logitsFor(50257, 11), [], [50257, 11]],
  ])('%s', (_, logits, blocked, tokens) => {
    expect(likeliestTokens(logits, new Set(blocked), 50257, 2).map((pick) => pick.token)).toEqual(tokens);
  });

  it('gives log-probabilities over the allowed tokens only (suppressed ones take no share)', () => {
    const logits = new Float32Array(50258).fill(-Infinity);
    logits[1] = Math.log(3);
    logits[2] = Math.log(1);
    logits[3] = 100; // suppressed
    const picks = likeliestTokens(logits, new Set([3]), 50257, 2);
    expect(picks.map((pick) => Math.exp(pick.logProbability))).toEqual([
      expect.closeTo(0.75, 6),
      expect.closeTo(0.25, 6),
    ]);
  });

  it('picks the likeliest language among the language tokens only', () => {
    expect(likeliestLanguage(logitsFor(50364, 50261, 50259), [50259, 50260, 50261])).toBe(50261);
  });
});

/** A fake decoder: each call answers with the next row set; it records what it was fed. */
function scripted(replies: Float32Array[][]) {
  const calls: [number[][], number, number[]][] = [];
  const step: DecoderStep = async (tokens, position, parents) => {
    calls.push([tokens, position, parents]);
    const rows = replies[calls.length - 1] ?? [];
    const logits = new Float32Array(vocabulary * tokens.length).fill(-10);
    tokens.forEach((_, beam) => logits.set(rows[beam] ?? rows[0] ?? logitsFor(50257), beam * vocabulary));
    return logits;
  };
  return { step, calls };
}

const options = {
  specials,
  language: english,
  previous: [],
  suppressed: [],
  suppressedAtBegin: [220, 50257],
};

describe('decodeWindow', () => {
  it('with one beam, feeds the prompt, then one token at a time at the next position, until <|endoftext|>', async () => {
    const { step, calls } = scripted([[logitsFor(50257, 220, 5)], [logitsFor(6)], [logitsFor(50257)]]);
    const tokens = await decodeWindow(step, { ...options, beamSize: 1 });
    // First step: <|endoftext|> and the blank are suppressed, so 5; then 6; then the end.
    expect(tokens).toEqual([5, 6]);
    expect(calls).toEqual([
      [[[50258, english, 50359, 50363]], 0, [0]],
      [[[5]], 4, [0]],
      [[[6]], 5, [0]],
    ]);
  });

  it('with two beams, keeps the better continuation even when its first token was second best', async () => {
    // Step 1: 5 (p≈.6) over 7 (p≈.4). Beam "5" is then unsure (10 vs 11 alike, low), beam "7"
    // is sure of 8, then both end: "7 8" has the better log-probability per token.
    const flat = (...pairs: [number, number][]) => {
      const logits = new Float32Array(vocabulary).fill(-30);
      for (const [token, value] of pairs) logits[token] = value;
      return logits;
    };
    const { step, calls } = scripted([
      [flat([5, Math.log(0.6)], [7, Math.log(0.4)])],
      [flat([10, 0], [11, 0], [12, 0], [13, 0]), flat([8, 5])],
      [flat([50257, 5]), flat([50257, 5])],
    ]);
    const tokens = await decodeWindow(step, { ...options, beamSize: 2 });
    expect(tokens).toEqual([7, 8]);
    expect(calls[1]).toEqual([[[5], [7]], 4, [0, 0]]);
    // Beam "7 8" came from the second beam of the previous call, and stays first (it scores best).
    expect(calls[2]?.[2]).toEqual([1, 0]);
  });

  it('stops at 224 new tokens when the model never ends', async () => {
    const { step, calls } = scripted(Array.from({ length: 300 }, () => [logitsFor(30)]));
    const tokens = await decodeWindow(step, { ...options, beamSize: 1 });
    expect(tokens.length).toBe(224);
    expect(calls.length).toBe(224);
  });
});
