import { createHash } from 'node:crypto';
import type { Message, Usage } from '@threadline/shared';
import { countTokens } from 'gpt-tokenizer';
import type { StoredRunContext } from '../store/engine-store.js';
import { textOf } from './run-objects.js';

const noSpecialTokens = { disallowedSpecial: new Set<string>() };

/**
 * Token counts of texts a turn reads again and again (the popular chunks, the thread's earlier
 * messages), by content hash so the cache does not hold the texts themselves.
 */
const countCapacity = 4096;
const knownCounts = new Map<string, number>();

function cachedCount(text: string): number {
  if (text.length < 64) return countTokens(text, noSpecialTokens);
  const key = createHash('sha1').update(text).digest('base64');
  const known = knownCounts.get(key);
  if (known !== undefined) return known;
  const count = countTokens(text, noSpecialTokens);
  if (knownCounts.size >= countCapacity) knownCounts.delete(knownCounts.keys().next().value ?? '');
  knownCounts.set(key, count);
  return count;
}

/**
 * Token counts for answerers that report none (the extractive one, endpoints without usage):
 * everything the turn read as the prompt, the answer as the completion. The prompt is counted
 * part by part (each part once per process, cached), plus one token per line break between
 * parts: counting the joined text afresh each turn was the largest item on the event loop while
 * files were being embedded and a chat asked every 250 ms (1.6 of 14.7 s busy, CPU profile).
 * Part by part differs from the joined count by at most a token a part (where a break merges
 * with a part's trailing spaces); it is an estimate either way.
 */
export function estimateUsage(
  context: StoredRunContext,
  conversation: Message[],
  answer: string,
  instructions: string | null,
): Usage {
  const parts = [instructions ?? '', ...conversation.map(textOf), ...context.hits.map((hit) => hit.text)];
  // `<|endoftext|>` in a user's file is text: counted, never refused as a special token.
  const prompt = parts.reduce((sum, part) => sum + cachedCount(part), parts.length - 1);
  const completion = countTokens(answer, noSpecialTokens);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

/**
 * Counts a sample once, so the first answer turn does not pay gpt-tokenizer's first call: the
 * first count of a 4,700-token page took 68 ms against 1.6 ms again (idle machine), and the
 * first turn of a bench:answers run spent 320 ms in estimateUsage at load 11 against 5-19 ms for
 * every later one. Answers the sample's token count.
 */
export function warmUpTokenCounting(): number {
  const sample = [
    '# Configuration',
    'Set `core.editor` to choose the editor Git opens for commit messages; the default is vi.',
    '```sh\ngit config --global core.editor "code --wait"\n```',
    '| option | default |\n|---|---|\n| maxChunkSizeTokens | 800 |',
    'Requests over the limit get a 429 response, with a Retry-After header saying when to retry.',
  ].join('\n\n');
  return countTokens(sample.repeat(8), noSpecialTokens);
}
