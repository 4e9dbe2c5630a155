import OpenAI from 'openai';
import { newId } from '../ids.js';
import type { AnswerPiece, Answerer, AnswerInput } from './answer-piece.js';
import { CitationStreamParser, type CitationStreamPiece } from './citation-stream.js';
import { buildGroundedMessages, toChatTools } from './grounded-prompt.js';

const maxQuoteCharacters = 2000;

/**
 * Grounded answers from an OpenAI-compatible chat-completions endpoint, streamed token by
 * token; `[n]` citations become citation pieces, tool calls a `tool_calls` piece.
 */
export function createLlmAnswerer(options: {
  baseURL: string;
  apiKey: string;
  fetch?: typeof fetch;
}): Answerer {
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    maxRetries: 1,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return async function* (input: AnswerInput): AsyncIterable<AnswerPiece> {
    const tools = toChatTools(input.functionTools);
    const stream = await client.chat.completions.create(
      {
        model: input.model,
        messages: buildGroundedMessages(input),
        stream: true,
        stream_options: { include_usage: true },
        ...(tools.length > 0 ? { tools } : {}),
      },
      { signal: input.signal },
    );
    const parser = new CitationStreamParser();
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    const toPieces = (pieces: CitationStreamPiece[]): AnswerPiece[] =>
      pieces.map((piece) =>
        piece.type === 'text'
          ? { type: 'text', text: piece.text }
          : {
              type: 'citation',
              source: piece.number - 1,
              quote: (input.hits[piece.number - 1]?.text ?? '').trim().slice(0, maxQuoteCharacters),
            },
      );
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta;
      if (delta?.content) yield* toPieces(parser.push(delta.content));
      for (const call of delta?.tool_calls ?? []) {
        const known = calls.get(call.index) ?? { id: call.id ?? newId('call'), name: '', arguments: '' };
        known.name += call.function?.name ?? '';
        known.arguments += call.function?.arguments ?? '';
        calls.set(call.index, known);
      }
      if (chunk.usage) {
        yield {
          type: 'usage',
          usage: {
            prompt_tokens: chunk.usage.prompt_tokens,
            completion_tokens: chunk.usage.completion_tokens,
            total_tokens: chunk.usage.total_tokens,
          },
        };
      }
    }
    yield* toPieces(parser.end());
    if (calls.size > 0) yield { type: 'tool_calls', calls: [...calls.values()] };
  };
}
