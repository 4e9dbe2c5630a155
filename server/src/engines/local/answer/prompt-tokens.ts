import { encode } from 'gpt-tokenizer';

// `<|im_start|>` and friends in a user's file are plain text, never special tokens.
const noSpecialTokens = { disallowedSpecial: new Set<string>() };

/**
 * Prompt tokens as the model's server will count them, estimated: o200k counts (the model's own
 * tokenizer is not at hand) scaled by a margin per model, plus what a chat template adds around
 * each message (`<start_of_turn>user\n…<end_of_turn>\n` is 5 tokens in Gemma's, ChatML's 4).
 * The margin starts wide enough for tokenizers that split English finer than o200k (Llama 2's and
 * Mistral's 32k vocabularies, ~1.2×) and then follows what the server reports it counted.
 */
export class PromptTokens {
  static readonly perMessage = 8;
  static readonly perPrompt = 16;
  static readonly initialFactor = 1.25;
  /** Over the largest ratio seen, for text that splits worse than what was seen. */
  static readonly headroom = 0.1;
  private readonly largestRatio = new Map<string, number>();

  /** The o200k count of a text. */
  static count(text: string): number {
    return encode(text, noSpecialTokens).length;
  }

  factor(model: string): number {
    const ratio = this.largestRatio.get(model);
    return ratio === undefined ? PromptTokens.initialFactor : ratio + PromptTokens.headroom;
  }

  /** The estimated tokens of one message whose text counts `textTokens` in o200k. */
  message(model: string, textTokens: number): number {
    return Math.ceil(textTokens * this.factor(model)) + PromptTokens.perMessage;
  }

  /** Learns from a prompt of `textTokens` o200k tokens in `messages` messages that the server counted as `actual`. */
  observe(model: string, textTokens: number, messages: number, actual: number): void {
    const overhead = messages * PromptTokens.perMessage + PromptTokens.perPrompt;
    if (textTokens < 200 || actual <= overhead) return; // too little text to learn a ratio from
    const ratio = (actual - overhead) / textTokens;
    this.largestRatio.set(model, Math.max(this.largestRatio.get(model) ?? 0, ratio));
  }
}
