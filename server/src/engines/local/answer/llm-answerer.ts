import OpenAI from 'openai';
import type { ChatCompletionChunk } from 'openai/resources/chat/completions';
import { newId } from '../store/ids.js';
import type { AnswerPiece, Answerer, AnswerInput } from './answer-piece.js';
import { findAnswer, type AnswerEvidence } from './answer-evidence.js';
import { CitationStreamParser, type CitationStreamPiece } from './citation-stream.js';
import { createContextWindows, isOpenAIHost, type ContextWindow } from './context-window.js';
import { fitGroundedPrompt, type FittedPrompt } from './fit-grounded-prompt.js';
import { groundedParts, toChatTools, type GroundedSource } from './grounded-prompt.js';
import { exceededContext, explainModelServerError, ModelServerError } from './model-server-errors.js';
import { passagePlainText, renderPassage } from './passage-blocks.js';
import { PromptTokens } from './prompt-tokens.js';
import { ReasoningFilter } from './reasoning-filter.js';
import { RefusalGate } from './refusal.js';
import { notFoundText } from './no-answer.js';

const maxQuoteCharacters = 2000;
const maxPassageSources = 8;
/** 429s are retried by the SDK with backoff (honouring `retry-after`), this many times. */
const rateLimitRetries = 3;

/** End-of-turn markers of ChatML, Gemma, Llama 3 and Phi templates (4: OpenAI's limit on `stop`). */
const leakedTurnMarkers = ['<|im_end|>', '<|im_start|>', '<end_of_turn>', '<|eot_id|>'];

type Source = GroundedSource & { hitIndex: number; quote: string };
type StreamedPiece = Extract<AnswerPiece, { type: 'text' | 'citation' }>;

export type AnswerLogger = {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
};
const quietLogger: AnswerLogger = { info: () => {}, warn: () => {} };

/**
 * When passages clearly answer the question, the model sees those passages (so its citations
 * point at exactly what it read); otherwise the whole retrieved chunks, for it to judge. Best
 * first: the budget drops from the end.
 */
async function groundedSources(
  input: AnswerInput,
  evidence?: AnswerEvidence,
): Promise<{ sources: Source[]; unmentioned: string[] }> {
  const { chosen, selection, unmentioned } = await findAnswer(input, evidence);
  if (chosen.length > 0) {
    const sources = selection.passages.slice(0, maxPassageSources).map((item) => ({
      fileName: input.hits[item.source]?.fileName ?? '',
      text: renderPassage(item.passage, item.blocks),
      hitIndex: item.source,
      quote: passagePlainText(item.passage, item.blocks),
    }));
    return { sources, unmentioned: [] };
  }
  const sources = input.hits.map((hit, hitIndex) => ({
    fileName: hit.fileName,
    text: hit.text,
    hitIndex,
    quote: hit.text.trim(),
  }));
  return { sources, unmentioned };
}

/** Reasoning arrives apart from the answer as `reasoning_content` (llama.cpp, vLLM, LM Studio) or `reasoning` (Ollama). */
const reasoningOf = (delta: ChatCompletionChunk.Choice.Delta | undefined): string => {
  const fields = (delta ?? {}) as Record<string, unknown>;
  const value = fields.reasoning_content ?? fields.reasoning;
  return typeof value === 'string' ? value : '';
};

/**
 * Grounded answers from an OpenAI-compatible chat-completions endpoint (llama.cpp, Ollama, vLLM,
 * LM Studio, OpenAI), streamed token by token. Every request fits the model's window; reasoning
 * never reaches the answer; every citation style becomes a citation piece; a refusal in the
 * model's own words becomes Threadline's refusal; failures a person can fix are named.
 */
export function createLlmAnswerer(options: {
  baseURL: string;
  apiKey: string;
  fetch?: typeof fetch;
  evidence?: AnswerEvidence | undefined;
  /** LLM_CONTEXT_TOKENS: the window, instead of asking the server. */
  contextTokens?: number | undefined;
  logger?: AnswerLogger | undefined;
}): Answerer {
  const fetchImpl = options.fetch ?? fetch;
  const logger = options.logger ?? quietLogger;
  const client = new OpenAI({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    maxRetries: rateLimitRetries,
    fetch: fetchImpl,
  });
  const windows = createContextWindows({
    baseURL: options.baseURL,
    apiKey: options.apiKey,
    configuredTokens: options.contextTokens,
    fetch: fetchImpl,
  });
  const promptTokens = new PromptTokens();
  const isOpenAI = isOpenAIHost(options.baseURL);
  const serverError = async (error: unknown, model: string) => {
    const explained = await explainModelServerError(error, {
      baseURL: options.baseURL,
      apiKey: options.apiKey,
      model,
      fetch: fetchImpl,
    });
    if (explained instanceof ModelServerError)
      logger.warn({ model, code: explained.code }, explained.message);
    return explained;
  };

  const windowTooSmall = (window: ContextWindow, neededTokens: number) =>
    new ModelServerError(
      'server_error',
      `The model's window (${window.tokens} tokens, from ${window.source}) is too small for the question and one passage of the documents (about ${neededTokens} tokens with room for the answer). Give the model a larger window on its server (llama-server -c, Ollama num_ctx, LM Studio's context length) and set LLM_CONTEXT_TOKENS to match.`,
    );

  return async function* (input: AnswerInput): AsyncIterable<AnswerPiece> {
    const { model } = input;
    const tools = toChatTools(input.functionTools);
    const { sources: candidates, unmentioned } = await groundedSources(input, options.evidence);
    // A question about something no document mentions in any form ("publish to PyPI") is refused
    // as the quoted answers refuse it, without asking the model, which would answer from what it
    // knows rather than from the documents; unless the client's own tools may answer it.
    if (unmentioned.length > 0 && input.functionTools.length === 0 && input.toolRounds.length === 0) {
      logger.info({ model, unmentioned }, 'refused without the model: the documents never mention it');
      yield { type: 'text', text: notFoundText(unmentioned) };
      return;
    }
    const asked = await windows.windowFor(model);
    let window = asked.window;
    if (asked.isNew) {
      logger.info(
        { model, windowTokens: window.tokens, server: window.server, source: window.source },
        `model ${model}: a window of ${window.tokens} tokens (${window.source})`,
      );
    }
    const parts = groundedParts(input, candidates, input.limits?.lastMessages ?? null);

    const fit = (): FittedPrompt<Source> | null => {
      const fitted = fitGroundedPrompt({
        parts,
        sources: candidates,
        windowTokens: window.tokens,
        limits: input.limits,
        model,
        tokens: promptTokens,
      });
      if (fitted.fits) return fitted;
      if (fitted.limit === 'max_prompt_tokens') return null;
      const error = windowTooSmall(window, fitted.neededTokens);
      logger.warn({ model, windowTokens: window.tokens, neededTokens: fitted.neededTokens }, error.message);
      throw error;
    };
    const request = (prompt: FittedPrompt<Source>) =>
      client.chat.completions.create(
        {
          model,
          messages: prompt.messages,
          stream: true,
          stream_options: { include_usage: true },
          // OpenAI's reasoning models take only max_completion_tokens (and no stop); local servers
          // know max_tokens, and stop where a model whose chat template does not match the server's
          // writes the end of its turn as text and goes on with an invented next one.
          ...(isOpenAI
            ? { max_completion_tokens: prompt.completionTokens }
            : { max_tokens: prompt.completionTokens, stop: leakedTurnMarkers }),
          ...(tools.length > 0 ? { tools } : {}),
        },
        { signal: input.signal },
      );

    let prompt = fit();
    if (!prompt) {
      yield { type: 'incomplete', reason: 'max_prompt_tokens' };
      return;
    }
    let stream: Awaited<ReturnType<typeof request>>;
    try {
      stream = await request(prompt);
    } catch (error) {
      const exceeded = exceededContext(error);
      if (!exceeded) throw await serverError(error, model);
      // The estimate fell short of the real tokenizer: learn its count, refit once.
      logger.warn(
        { model, ...exceeded, estimatedTokens: prompt.promptTokens },
        `model ${model}: the server counted ${exceeded.promptTokens} prompt tokens for a window of ${exceeded.windowTokens}; refitting`,
      );
      promptTokens.observe(model, prompt.textTokens, prompt.messages.length, exceeded.promptTokens);
      window = windows.correct(model, exceeded.windowTokens, 'llama.cpp');
      prompt = fit();
      if (!prompt) {
        yield { type: 'incomplete', reason: 'max_prompt_tokens' };
        return;
      }
      try {
        stream = await request(prompt);
      } catch (retryError) {
        if (exceededContext(retryError)) throw windowTooSmall(window, exceeded.promptTokens);
        throw await serverError(retryError, model);
      }
    }
    if (prompt.droppedHistory > 0 || prompt.droppedSources > 0) {
      logger.info(
        {
          model,
          windowTokens: window.tokens,
          promptTokens: prompt.promptTokens,
          droppedMessages: prompt.droppedHistory,
          droppedSources: prompt.droppedSources,
        },
        'prompt fitted to the window',
      );
    }

    const sources = prompt.sources;
    const reasoning = new ReasoningFilter();
    const citations = new CitationStreamParser();
    const gate = new RefusalGate();
    const calls = new Map<number, { id: string; name: string; arguments: string }>();
    let hasAnswerStarted = false;
    let answerText = '';
    let reasoningText = '';
    let finishReason: string | null = null;
    let usage: Extract<AnswerPiece, { type: 'usage' }> | null = null;
    const unmapped: number[] = [];
    const fromCitations = (pieces: CitationStreamPiece[]): StreamedPiece[] =>
      pieces.flatMap((piece): StreamedPiece[] => {
        if (piece.type === 'text') {
          // The answer starts at its first visible character (after a think block's blank lines).
          const text = hasAnswerStarted ? piece.text : piece.text.trimStart();
          if (text === '') return [];
          hasAnswerStarted = true;
          answerText += text;
          return [{ type: 'text', text }];
        }
        const source = sources[piece.number - 1];
        if (!source) {
          // A number that names no source is dropped, marker and all.
          unmapped.push(piece.number);
          return [];
        }
        return [
          { type: 'citation', source: source.hitIndex, quote: source.quote.slice(0, maxQuoteCharacters) },
        ];
      });
    const fromContent = (content: string): StreamedPiece[] =>
      reasoning.push(content).flatMap((piece) => {
        if (piece.type === 'reasoning') {
          reasoningText += piece.text;
          return [];
        }
        return fromCitations(citations.push(piece.text)).flatMap((streamed) => gate.push(streamed));
      });

    try {
      for await (const chunk of stream) {
        const choice = chunk.choices[0];
        const delta = choice?.delta;
        reasoningText += reasoningOf(delta);
        if (delta?.content) yield* fromContent(delta.content);
        for (const call of delta?.tool_calls ?? []) {
          const known = calls.get(call.index) ?? { id: call.id ?? newId('call'), name: '', arguments: '' };
          known.name += call.function?.name ?? '';
          known.arguments += call.function?.arguments ?? '';
          calls.set(call.index, known);
        }
        if (choice?.finish_reason) finishReason = choice.finish_reason;
        if (chunk.usage) {
          usage = {
            type: 'usage',
            usage: {
              prompt_tokens: chunk.usage.prompt_tokens,
              completion_tokens: chunk.usage.completion_tokens,
              total_tokens: chunk.usage.total_tokens,
            },
          };
        }
      }
    } catch (error) {
      if (input.signal.aborted) throw error;
      yield* gate.flush();
      throw await serverError(error, model);
    }
    const rest = reasoning.end().flatMap((piece) => {
      if (piece.type === 'reasoning') {
        reasoningText += piece.text;
        return [];
      }
      return fromCitations(citations.push(piece.text));
    });
    for (const piece of [...rest, ...fromCitations(citations.end())]) yield* gate.push(piece);
    const ending = gate.end();
    yield* ending.pieces;
    if (unmapped.length > 0 && !ending.isRefusal) {
      logger.info(
        { model, unmapped, sources: sources.length },
        `model ${model} cited ${unmapped.map((number) => `[${number}]`).join('')}, naming no source of the ${sources.length} it was given; dropped`,
      );
    }
    if (ending.isRefusal)
      logger.info({ model, answer: answerText.slice(0, 300) }, 'the model refused in its own words');

    if (usage) {
      promptTokens.observe(model, prompt.textTokens, prompt.messages.length, usage.usage.prompt_tokens);
      // Ollama cuts a prompt past num_ctx from its start and says nothing: a count at the window is the sign.
      if (usage.usage.prompt_tokens >= window.tokens - 4) {
        logger.warn(
          { model, promptTokens: usage.usage.prompt_tokens, windowTokens: window.tokens },
          `model ${model}: the prompt filled the whole window; the server may have cut it. Set LLM_CONTEXT_TOKENS to the window the server really uses.`,
        );
      }
      yield usage;
    } else {
      // No usage from the server: what was sent, estimated, and what came back, reasoning included.
      const completion = PromptTokens.count(answerText + reasoningText);
      yield {
        type: 'usage',
        usage: {
          prompt_tokens: prompt.promptTokens,
          completion_tokens: completion,
          total_tokens: prompt.promptTokens + completion,
        },
      };
    }
    if (calls.size > 0) yield { type: 'tool_calls', calls: [...calls.values()] };
    else if (finishReason === 'length' && prompt.isCompletionCappedByRun)
      yield { type: 'incomplete', reason: 'max_completion_tokens' };
  };
}
