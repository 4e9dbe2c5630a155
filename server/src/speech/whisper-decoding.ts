/**
 * Whisper's decoding without timestamps, as faster-whisper does it (beam search of 5, temperature
 * 0): the prompt is <|startofprev|> + the previous text's last 223 tokens (the `prompt`, then what
 * earlier windows said), then <|startoftranscript|> <|lang|> <|transcribe|> <|notimestamps|>.
 * Each step extends every beam by its likeliest allowed tokens; a beam that picks <|endoftext|>
 * is finished; the search ends when `beamSize` beams are, and the finished beam with the best
 * log-probability per token wins (openai-whisper's ranking without a length penalty). Greedy
 * decoding, tried first, misheard an espeak question that beam search gets right ("hotel limit
 * per night" → "total limit per item", faster-whisper's greedy too). The model call is injected
 * (`DecoderStep`), so the rules are tested without weights.
 */

/**
 * One decoder call for every beam: `tokens[b]` are beam b's new tokens (all the same length) at
 * positions from `firstPosition`, after the cache of beam `parents[b]` of the previous call →
 * the next token's logits, beam after beam.
 */
export type DecoderStep = (
  tokens: number[][],
  firstPosition: number,
  parents: number[],
) => Promise<Float32Array>;

export type WhisperSpecials = {
  endOfText: number;
  startOfTranscript: number;
  startOfPrevious: number;
  transcribe: number;
  noTimestamps: number;
};

export type DecodeOptions = {
  specials: WhisperSpecials;
  language: number;
  /** The previous text, already tokenised (the prompt, then earlier windows' tokens). */
  previous: readonly number[];
  /** The model's own list (config.json `suppress_ids`), suppressed at every step. */
  suppressed: readonly number[];
  /** Suppressed at the first step only (config.json `suppress_ids_begin`: a blank, <|endoftext|>). */
  suppressedAtBegin: readonly number[];
};

const contextLength = 448;
/** faster-whisper's max_new_tokens default (half the context). */
const maxNewTokens = contextLength / 2;

/** The tokens in front of the transcript: previous text (if any), then the task. */
export function promptTokens(options: Omit<DecodeOptions, 'suppressed' | 'suppressedAtBegin'>): number[] {
  const { specials, previous, language } = options;
  const task = [specials.startOfTranscript, language, specials.transcribe, specials.noTimestamps];
  if (previous.length === 0) return task;
  return [specials.startOfPrevious, ...previous.slice(-(contextLength / 2 - 1)), ...task];
}

/** Additive self-attention mask for `count` new tokens after `past` cached ones: causal. */
export function causalMask(count: number, past: number): Float32Array {
  const mask = new Float32Array(count * (past + count));
  for (let row = 0; row < count; row++)
    for (let column = past + row + 1; column < past + count; column++)
      mask[row * (past + count) + column] = -1e9;
  return mask;
}

/** The index among `languageIds` of the most likely language after <|startoftranscript|> alone. */
export function likeliestLanguage(logits: Float32Array, languageIds: readonly number[]): number {
  let best = 0;
  languageIds.forEach((id, index) => {
    if (logits[id]! > logits[languageIds[best]!]!) best = index;
  });
  return languageIds[best]!;
}

type Beam = { tokens: number[]; score: number };

/**
 * The `count` likeliest allowed tokens of one beam's logits, as log-probabilities over the allowed
 * tokens only (suppressed ones are removed before the softmax, as CTranslate2 does).
 */
export function likeliestTokens(
  logits: Float32Array,
  blocked: ReadonlySet<number>,
  endOfText: number,
  count: number,
): { token: number; logProbability: number }[] {
  let maximum = -Infinity;
  for (let token = 0; token <= endOfText; token++)
    if (!blocked.has(token) && logits[token]! > maximum) maximum = logits[token]!;
  let sum = 0;
  const best: number[] = [];
  for (let token = 0; token <= endOfText; token++) {
    if (blocked.has(token)) continue;
    sum += Math.exp(logits[token]! - maximum);
    if (best.length < count || logits[token]! > logits[best.at(-1)!]!) {
      let at = best.length;
      while (at > 0 && logits[best[at - 1]!]! < logits[token]!) at--;
      best.splice(at, 0, token);
      if (best.length > count) best.pop();
    }
  }
  const logSum = maximum + Math.log(sum);
  return best.map((token) => ({ token, logProbability: logits[token]! - logSum }));
}

/** The transcript's tokens for one 30 s window (without the prompt and <|endoftext|>). */
export async function decodeWindow(
  step: DecoderStep,
  options: DecodeOptions & { beamSize: number },
): Promise<number[]> {
  const { specials, beamSize } = options;
  const prompt = promptTokens(options);
  const always = new Set(options.suppressed);
  const atBegin = new Set([...options.suppressed, ...options.suppressedAtBegin]);
  const limit = Math.min(maxNewTokens, contextLength - prompt.length);
  let beams: Beam[] = [{ tokens: [], score: 0 }];
  const finished: Beam[] = [];
  let logits = await step([prompt], 0, [0]);
  const vocabulary = logits.length;
  for (let length = 0; length < limit && finished.length < beamSize; length++) {
    const blocked = length === 0 ? atBegin : always;
    const candidates = beams.flatMap((beam, index) =>
      likeliestTokens(
        logits.subarray(index * vocabulary, (index + 1) * vocabulary),
        blocked,
        specials.endOfText,
        beamSize + 1,
      ).map(({ token, logProbability }) => ({ parent: index, token, score: beam.score + logProbability })),
    );
    candidates.sort((a, b) => b.score - a.score);
    const next: (Beam & { parent: number })[] = [];
    for (const candidate of candidates) {
      const tokens = beams[candidate.parent]!.tokens;
      if (candidate.token === specials.endOfText) {
        if (finished.length < beamSize) finished.push({ tokens, score: candidate.score });
      } else {
        next.push({ parent: candidate.parent, tokens: [...tokens, candidate.token], score: candidate.score });
        // Only an ending that ranks above the last kept beam finishes (openai-whisper's rule).
        if (next.length === beamSize) break;
      }
    }
    if (next.length === 0 || finished.length >= beamSize || length + 1 === limit) {
      finished.push(...next);
      break;
    }
    beams = next;
    logits = await step(
      next.map((beam) => [beam.tokens.at(-1)!]),
      prompt.length + length,
      next.map((beam) => beam.parent),
    );
  }
  const perToken = (beam: Beam) => beam.score / Math.max(1, beam.tokens.length);
  const best = (finished.length > 0 ? finished : beams).reduce((a, b) => (perToken(b) > perToken(a) ? b : a));
  return best.tokens;
}
