import type { Message, Usage } from '@threadline/shared';
import { countTokens } from 'gpt-tokenizer';
import type { StoredRunContext } from '../store/engine-store.js';
import { textOf } from './run-objects.js';

const noSpecialTokens = { disallowedSpecial: new Set<string>() };

/**
 * Token counts for answerers that report none (the extractive one, endpoints without usage):
 * everything the turn read as the prompt, the answer as the completion.
 */
export function estimateUsage(
  context: StoredRunContext,
  conversation: Message[],
  answer: string,
  instructions: string | null,
): Usage {
  const promptText = [
    instructions ?? '',
    ...conversation.map(textOf),
    ...context.hits.map((hit) => hit.text),
  ].join('\n');
  // `<|endoftext|>` in a user's file is text: counted, never refused as a special token.
  const prompt = countTokens(promptText, noSpecialTokens);
  const completion = countTokens(answer, noSpecialTokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}
