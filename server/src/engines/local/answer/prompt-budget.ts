/**
 * How much of a grounded prompt fits the model's window: the rules and the question always, then
 * the sources best first and the history newest first, leaving room for the answer. Works on token
 * counts only (the caller counts, with its margin), so it is pure and table-tested.
 */
export type PromptBudgetInput = {
  /** The model's window, per request (llama.cpp: per slot). */
  windowTokens: number;
  /** What the run may still spend on this prompt (Assistants `max_prompt_tokens`), if capped. */
  maxPromptTokens: number | null;
  /** What the run may still spend on answers (Assistants `max_completion_tokens`), if capped. */
  maxCompletionTokens: number | null;
  /** Rules, instructions, the question and the turn's tool calls: never dropped. */
  fixedTokens: number;
  /** Each candidate source, best first. */
  sourceTokens: readonly number[];
  /** Each earlier message, oldest first. */
  historyTokens: readonly number[];
};

export type PromptBudget =
  | {
      fits: true;
      /** How many sources (from the best) go into the prompt. */
      sourceCount: number;
      /** The last included source is cut to this many tokens; null when it fits whole. */
      lastSourceTokens: number | null;
      /** How many messages (from the newest) go into the prompt. */
      historyCount: number;
      promptTokens: number;
      /** The most the answer may take (sent as `max_tokens`). */
      completionTokens: number;
    }
  | {
      fits: false;
      /** Which limit left no room for one passage: the window or the run's `max_prompt_tokens`. */
      limit: 'window' | 'max_prompt_tokens';
      neededTokens: number;
      availableTokens: number;
    };

/** Room kept for the answer: a quarter of the window, within bounds. */
export const answerReserveTokens = (windowTokens: number): number =>
  Math.min(4096, Math.max(128, Math.floor(windowTokens / 4)));

/** A passage cut shorter than this answers nothing. */
export const minimumSourceTokens = 64;
/** Rather than drop a source, cut it when at least this much room is left for it. */
const minimumCutTokens = 160;
/** The previous exchange (question and answer) outlives every source but the best one. */
const recentMessagesKept = 2;

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

/**
 * Drops, in order: the oldest history (down to the previous exchange), the weakest sources (down
 * to the best one; the last one kept may be cut rather than dropped), the rest of the history,
 * then cuts the best source. Fails when not even a cut passage fits.
 */
export function fitPrompt(input: PromptBudgetInput): PromptBudget {
  const reserve = Math.min(answerReserveTokens(input.windowTokens), input.maxCompletionTokens ?? Infinity);
  const windowRoom = input.windowTokens - reserve;
  const promptRoom = Math.min(windowRoom, input.maxPromptTokens ?? Infinity);
  const limit = promptRoom < windowRoom ? 'max_prompt_tokens' : 'window';
  const room = promptRoom - input.fixedTokens;
  const firstSource = input.sourceTokens[0];
  const neededForSources = firstSource === undefined ? 0 : Math.min(firstSource, minimumSourceTokens);
  if (room < neededForSources) {
    return {
      fits: false,
      limit,
      neededTokens: input.fixedTokens + neededForSources + reserve,
      availableTokens: Math.min(input.windowTokens, (input.maxPromptTokens ?? Infinity) + reserve),
    };
  }
  const sources = [...input.sourceTokens];
  let historyStart = 0;
  const history = input.historyTokens;
  let lastSourceTokens: number | null = null;
  const used = () => sum(sources) + sum(history.slice(historyStart));
  while (used() > room && history.length - historyStart > recentMessagesKept) historyStart += 1;
  while (used() > room && sources.length > 1) {
    const left = room - (used() - (sources.at(-1) ?? 0));
    if (left >= minimumCutTokens) {
      lastSourceTokens = left;
      sources[sources.length - 1] = left;
      break;
    }
    sources.pop();
  }
  while (used() > room && historyStart < history.length) historyStart += 1;
  if (used() > room && sources.length === 1) {
    lastSourceTokens = room;
    sources[0] = room;
  }
  const promptTokens = input.fixedTokens + used();
  return {
    fits: true,
    sourceCount: sources.length,
    lastSourceTokens,
    historyCount: history.length - historyStart,
    promptTokens,
    completionTokens: Math.max(
      1,
      Math.min(input.windowTokens - promptTokens, input.maxCompletionTokens ?? Infinity),
    ),
  };
}
