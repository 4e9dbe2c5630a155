import { decode, encode } from 'gpt-tokenizer';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import type { RunLimits } from './answer-piece.js';
import {
  assembleMessages,
  numberedSource,
  type GroundedParts,
  type GroundedSource,
} from './grounded-prompt.js';
import { fitPrompt } from './prompt-budget.js';
import { PromptTokens } from './prompt-tokens.js';

export type FittedPrompt<Source extends GroundedSource> = {
  fits: true;
  messages: ChatCompletionMessageParam[];
  /** The sources sent, in the order numbered in the prompt (source n is `sources[n - 1]`). */
  sources: Source[];
  /** Estimated prompt tokens, margin included. */
  promptTokens: number;
  /** The o200k tokens of the text sent, to learn the server's ratio from its usage. */
  textTokens: number;
  /** `max_tokens` for the request. */
  completionTokens: number;
  /** Whether `completionTokens` is the run's `max_completion_tokens` (so `length` ends the run incomplete). */
  isCompletionCappedByRun: boolean;
  droppedHistory: number;
  droppedSources: number;
};

export type UnfittedPrompt = {
  fits: false;
  limit: 'window' | 'max_prompt_tokens';
  neededTokens: number;
  availableTokens: number;
};

const noSpecialTokens = { disallowedSpecial: new Set<string>() };

const contentTokens = (message: ChatCompletionMessageParam): number => {
  const content =
    typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '');
  const calls = 'tool_calls' in message && message.tool_calls ? JSON.stringify(message.tool_calls) : '';
  return PromptTokens.count(content) + (calls ? PromptTokens.count(calls) : 0);
};

/** Cuts a source's text to about `tokens` o200k tokens, at a word boundary, marked as cut. */
function cutText(text: string, tokens: number): string {
  const cut = decode(encode(text, noSpecialTokens).slice(0, Math.max(0, tokens)));
  const atWord = cut.replace(/\s+\S*$/, '');
  return `${atWord.length > cut.length / 2 ? atWord : cut} …`;
}

/**
 * The grounded prompt that fits the model's window and the run's limits (see `fitPrompt` for what
 * goes first), built from parts whose tokens are estimated with the model's current margin.
 */
export function fitGroundedPrompt<Source extends GroundedSource>(input: {
  parts: GroundedParts;
  sources: readonly Source[];
  windowTokens: number;
  limits: RunLimits | undefined;
  model: string;
  tokens: PromptTokens;
}): FittedPrompt<Source> | UnfittedPrompt {
  const { parts, tokens, model, limits } = input;
  const estimate = (textTokens: number, overhead: number) =>
    Math.ceil(textTokens * tokens.factor(model)) + overhead;
  const systemText = PromptTokens.count(`${parts.system}\n\nSources:\n\n`);
  const turnText = parts.turn.reduce((total, message) => total + contentTokens(message), 0);
  const fixedTokens =
    estimate(systemText + turnText, (parts.turn.length + 1) * PromptTokens.perMessage) +
    PromptTokens.perPrompt;
  const sourceTexts = parts.sources.map((source) => PromptTokens.count(source) + 1);
  const historyTexts = parts.history.map(contentTokens);
  const maxPromptTokens =
    limits?.maxPromptTokens != null ? limits.maxPromptTokens - limits.usedPromptTokens : null;
  const maxCompletionTokens =
    limits?.maxCompletionTokens != null ? limits.maxCompletionTokens - limits.usedCompletionTokens : null;
  const budget = fitPrompt({
    windowTokens: input.windowTokens,
    maxPromptTokens,
    maxCompletionTokens,
    fixedTokens,
    sourceTokens: sourceTexts.map((count) => estimate(count, 0)),
    historyTokens: historyTexts.map((count) => estimate(count, PromptTokens.perMessage)),
  });
  if (!budget.fits) return budget;
  const sources = input.sources.slice(0, budget.sourceCount).map((source) => ({ ...source }));
  const sourceParts = parts.sources.slice(0, budget.sourceCount);
  const last = sources.at(-1);
  if (budget.lastSourceTokens !== null && last) {
    // The number and file line stay; the text is cut to what is left, in o200k tokens.
    const header = PromptTokens.count(numberedSource({ ...last, text: '' }, sources.length - 1));
    last.text = cutText(last.text, Math.floor(budget.lastSourceTokens / tokens.factor(model)) - header - 2);
    sourceParts[sourceParts.length - 1] = numberedSource(last, sources.length - 1);
  }
  const history = parts.history.slice(parts.history.length - budget.historyCount);
  const messages = assembleMessages({ ...parts, sources: sourceParts, history });
  const textTokens = messages.reduce((total, message) => total + contentTokens(message), 0);
  return {
    fits: true,
    messages,
    sources,
    promptTokens: budget.promptTokens,
    textTokens,
    completionTokens: budget.completionTokens,
    isCompletionCappedByRun: maxCompletionTokens !== null && budget.completionTokens >= maxCompletionTokens,
    droppedHistory: parts.history.length - budget.historyCount,
    droppedSources: parts.sources.length - budget.sourceCount,
  };
}
