import OpenAI from 'openai';
import { newId } from '../store/ids.js';
import type { AnswerPiece, Answerer, AnswerInput } from './answer-piece.js';
import { CitationStreamParser, type CitationStreamPiece } from './citation-stream.js';
import { buildGroundedMessages, toChatTools, type GroundedSource } from './grounded-prompt.js';
import { noRelevantInformationText } from './no-answer.js';
import { passagePlainText, renderPassage } from './passage-blocks.js';
import { findAnswer, type AnswerEvidence } from './answer-evidence.js';

const maxQuoteCharacters = 2000;
const maxPassageSources = 8;

type Source = GroundedSource & { hitIndex: number; quote: string };

/**
 * When passages clearly answer the question, the model sees those passages (so its citations
 * point at exactly what it read); otherwise the whole retrieved chunks, for it to judge.
 */
async function groundedSources(input: AnswerInput, evidence?: AnswerEvidence): Promise<Source[]> {
  const { chosen, selection } = await findAnswer(input, evidence);
  if (chosen.length > 0) {
    return selection.passages.slice(0, maxPassageSources).map((item) => ({
      fileName: input.hits[item.source]?.fileName ?? '',
      text: renderPassage(item.passage, item.blocks),
      hitIndex: item.source,
      quote: passagePlainText(item.passage, item.blocks),
    }));
  }
  return input.hits.map((hit, hitIndex) => ({
    fileName: hit.fileName,
    text: hit.text,
    hitIndex,
    quote: hit.text.trim(),
  }));
}

const refusalStart = noRelevantInformationText.slice(0, 30).toLowerCase();
const isRefusal = (text: string) => text.trim().toLowerCase().replace(/[’]/g, "'").startsWith(refusalStart);

/**
 * Grounded answers from an OpenAI-compatible chat-completions endpoint, streamed token by
 * token; `[n]` citations become citation pieces, tool calls a `tool_calls` piece.
 */
export function createLlmAnswerer(options: {
  baseURL: string;
  apiKey: string;
  fetch?: typeof fetch;
  evidence?: AnswerEvidence | undefined;
}): Answerer {
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    maxRetries: 1,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return async function* (input: AnswerInput): AsyncIterable<AnswerPiece> {
    const tools = toChatTools(input.functionTools);
    const sources = await groundedSources(input, options.evidence);
    const stream = await client.chat.completions.create(
      {
        model: input.model,
        messages: buildGroundedMessages(input, sources),
        stream: true,
        stream_options: { include_usage: true },
        ...(tools.length > 0 ? { tools } : {}),
      },
      { signal: input.signal },
    );
    const parser = new CitationStreamParser();
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let text = '';
    const toPieces = (pieces: CitationStreamPiece[]): AnswerPiece[] =>
      pieces.flatMap((piece): AnswerPiece[] => {
        if (piece.type === 'text') {
          text += piece.text;
          return [{ type: 'text', text: piece.text }];
        }
        const source = sources[piece.number - 1];
        // A refusal cites nothing, whatever numbers the model added to it.
        if (!source || isRefusal(text)) return [];
        return [
          { type: 'citation', source: source.hitIndex, quote: source.quote.slice(0, maxQuoteCharacters) },
        ];
      });
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
