import { countTokens } from 'gpt-tokenizer';
import { http, HttpResponse } from 'msw';

/**
 * Doubles of the two local model servers people run most, behaving as they do where it matters
 * to a grounded prompt (an msw handler set for `http://<host>`, the OpenAI API under `/v1`):
 *
 * - **llama.cpp `llama-server`** (ggml-org/llama.cpp tools/server, as vendored in
 *   llama-cpp-python 0.3.36): `GET /props` → `default_generation_settings.n_ctx` (the window of a
 *   slot); a prompt of `n_ctx` tokens or more is answered 400 with
 *   `{"error":{"code":400,"message":"request (N tokens) exceeds the available context size (M tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":N,"n_ctx":M}}`
 *   (server-context.cpp `send_error`); any model name is served (one model per server); reasoning
 *   streams as `reasoning_content`; unknown routes are 404.
 * - **Ollama** (ollama/ollama docs/api.md, server/prompt.go, openai/openai.go): `POST /api/show`
 *   gives `parameters` (with `num_ctx N` when the Modelfile sets it) and `model_info`; `GET
 *   /api/ps` lists loaded models with their `context_length`; a model not pulled is 404
 *   `{"error":{"message":"model \"x\" not found, try pulling it first","type":"api_error","param":null,"code":null}}`
 *   on `/v1/chat/completions`; a prompt past `num_ctx` is never refused: `chatPrompt` drops
 *   messages from the front (keeping system messages and the last one) and the runner then cuts
 *   tokens from the start — silently. Reasoning streams as `reasoning`.
 *
 * The "real tokenizer" here is o200k scaled by `tokenizerRatio` plus a Gemma-style chat template
 * (5 tokens around each message, BOS and the generation prompt), so the client's estimate is never
 * exactly right, as with a real server.
 */
export type ModelServerDouble = {
  kind: 'llama.cpp' | 'ollama';
  host: string;
  windowTokens: number;
  /** Ollama: whether the Modelfile sets num_ctx (else /api/show says nothing of the window). */
  isNumCtxInModelfile?: boolean;
  /** Ollama: the models pulled. */
  models?: string[];
  tokenizerRatio?: number;
};

export type ChatMessage = { role: string; content?: unknown; tool_calls?: unknown };
export type RecordedRequest = {
  model: string;
  messages: ChatMessage[];
  maxTokens: number | null;
  /** Prompt tokens as the server counted them (before any truncation). */
  promptTokens: number;
  /** What the server did with the prompt. */
  outcome: 'answered' | 'rejected' | 'truncated';
};

export type ScriptedReply = {
  content?: string[];
  /** Deltas of the separate reasoning field (`reasoning_content` or `reasoning`). */
  reasoning?: string[];
  delayMs?: number;
};

const perMessage = 5;
const perPrompt = 4;

const contentText = (message: ChatMessage) =>
  (typeof message.content === 'string' ? message.content : JSON.stringify(message.content ?? '')) +
  (message.tool_calls ? JSON.stringify(message.tool_calls) : '');

export function createModelServerDouble(options: ModelServerDouble) {
  const ratio = options.tokenizerRatio ?? 1.15;
  const messageTokens = (message: ChatMessage) =>
    Math.ceil(countTokens(contentText(message), { disallowedSpecial: new Set() }) * ratio) + perMessage;
  const promptTokensOf = (messages: ChatMessage[]) =>
    messages.reduce((total, message) => total + messageTokens(message), perPrompt);
  const requests: RecordedRequest[] = [];
  const replies: ScriptedReply[] = [];
  const loaded = new Set<string>();
  const pulled = (options.models ?? ['llama3.2:latest']).map((name) =>
    name.includes(':') ? name : `${name}:latest`,
  );
  const isPulled = (model: string) => pulled.includes(model.includes(':') ? model : `${model}:latest`);
  const base = `http://${options.host}`;
  let generating = 0;

  const stream = (
    model: string,
    reply: ScriptedReply,
    promptTokens: number,
    maxTokens: number,
    signal: AbortSignal,
  ) => {
    const encoder = new TextEncoder();
    const reasoningField = options.kind === 'ollama' ? 'reasoning' : 'reasoning_content';
    const room = Math.min(maxTokens, options.windowTokens - promptTokens);
    const content = (reply.content ?? ['Answer.']).slice(0, Math.max(0, room));
    const isCut = (reply.content ?? ['Answer.']).length > content.length;
    const frame = (delta: object, finish: string | null = null, usage?: object) =>
      `data: ${JSON.stringify({
        id: 'chatcmpl-double',
        object: 'chat.completion.chunk',
        created: 1,
        model,
        choices: usage ? [] : [{ index: 0, delta, finish_reason: finish }],
        ...(usage ? { usage } : {}),
      })}\n\n`;
    const frames = [
      frame({ role: 'assistant', content: '' }),
      ...(reply.reasoning ?? []).map((text) => frame({ [reasoningField]: text })),
      ...content.map((text) => frame({ content: text })),
      frame({}, isCut ? 'length' : 'stop'),
      frame({}, null, {
        prompt_tokens: promptTokens,
        completion_tokens: content.length + (reply.reasoning?.length ?? 0),
        total_tokens: promptTokens + content.length + (reply.reasoning?.length ?? 0),
      }),
      'data: [DONE]\n\n',
    ];
    let position = 0;
    generating += 1;
    let isDone = false;
    const done = () => {
      if (isDone) return;
      isDone = true;
      generating -= 1;
    };
    return new ReadableStream<Uint8Array>({
      start(controller) {
        signal.addEventListener(
          'abort',
          () => {
            done();
            try {
              controller.error(new Error('request aborted'));
            } catch {
              // Already closed.
            }
          },
          { once: true },
        );
      },
      async pull(controller) {
        if (signal.aborted) return;
        const next = frames[position];
        position += 1;
        if (next === undefined) {
          done();
          controller.close();
          return;
        }
        if (position > 1 && reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
        controller.enqueue(encoder.encode(next));
      },
      cancel: done,
    });
  };

  /** Ollama's chatPrompt: drop messages from the front (keeping system ones and the last) until it fits. */
  const ollamaFit = (messages: ChatMessage[]) => {
    for (let start = 0; start < messages.length; start += 1) {
      const kept = [
        ...messages.slice(0, start).filter((message) => message.role === 'system'),
        ...messages.slice(start),
      ];
      const tokens = promptTokensOf(kept);
      if (tokens <= options.windowTokens || start === messages.length - 1)
        return {
          kept,
          tokens: Math.min(tokens, options.windowTokens),
          isCut: start > 0 || tokens > options.windowTokens,
        };
    }
    return { kept: messages, tokens: promptTokensOf(messages), isCut: false };
  };

  const notFound = () =>
    options.kind === 'llama.cpp'
      ? HttpResponse.json(
          { error: { code: 404, message: 'File Not Found', type: 'not_found_error' } },
          { status: 404 },
        )
      : new HttpResponse('404 page not found', { status: 404, headers: { 'content-type': 'text/plain' } });

  const handlers = [
    http.get(`${base}/props`, () =>
      options.kind === 'llama.cpp'
        ? HttpResponse.json({
            default_generation_settings: { n_ctx: options.windowTokens, params: { n_predict: -1 } },
            total_slots: 1,
            model_path: '/models/gemma-3-270m-q4_k_m.gguf',
          })
        : notFound(),
    ),
    http.get(`${base}/v1/models`, () =>
      HttpResponse.json({
        object: 'list',
        data:
          options.kind === 'llama.cpp'
            ? [
                {
                  id: 'gemma-3-270m-q4_k_m.gguf',
                  object: 'model',
                  owned_by: 'llamacpp',
                  meta: { n_ctx_train: 32768 },
                },
              ]
            : pulled.map((id) => ({ id, object: 'model', created: 1, owned_by: 'library' })),
      }),
    ),
    http.get(`${base}/api/tags`, () =>
      options.kind === 'ollama'
        ? HttpResponse.json({ models: pulled.map((name) => ({ name, model: name })) })
        : notFound(),
    ),
    http.get(`${base}/api/ps`, () =>
      options.kind === 'ollama'
        ? HttpResponse.json({
            models: [...loaded].map((name) => ({ name, model: name, context_length: options.windowTokens })),
          })
        : notFound(),
    ),
    http.post(`${base}/api/show`, async ({ request }) => {
      if (options.kind !== 'ollama') return notFound();
      const { model } = (await request.json()) as { model: string };
      if (!isPulled(model))
        return HttpResponse.json({ error: `model '${model}' not found` }, { status: 404 });
      return HttpResponse.json({
        parameters: [
          ...(options.isNumCtxInModelfile ? [`num_ctx                        ${options.windowTokens}`] : []),
          'stop                           "<|eot_id|>"',
        ].join('\n'),
        model_info: { 'general.architecture': 'llama', 'llama.context_length': 131072 },
      });
    }),
    http.get(`${base}/api/v0/models/:model`, () => notFound()),
    http.post(`${base}/v1/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as { model: string; messages: ChatMessage[]; max_tokens?: number };
      const maxTokens = body.max_tokens ?? Infinity;
      if (options.kind === 'ollama' && !isPulled(body.model)) {
        return HttpResponse.json(
          {
            error: {
              message: `model "${body.model}" not found, try pulling it first`,
              type: 'api_error',
              param: null,
              code: null,
            },
          },
          { status: 404 },
        );
      }
      const promptTokens = promptTokensOf(body.messages);
      const recorded: RecordedRequest = {
        model: body.model,
        messages: body.messages,
        maxTokens: body.max_tokens ?? null,
        promptTokens,
        outcome: 'answered',
      };
      requests.push(recorded);
      if (options.kind === 'llama.cpp' && promptTokens >= options.windowTokens) {
        recorded.outcome = 'rejected';
        return HttpResponse.json(
          {
            error: {
              code: 400,
              message: `request (${promptTokens} tokens) exceeds the available context size (${options.windowTokens} tokens), try increasing it`,
              type: 'exceed_context_size_error',
              n_prompt_tokens: promptTokens,
              n_ctx: options.windowTokens,
            },
          },
          { status: 400 },
        );
      }
      let served = promptTokens;
      if (options.kind === 'ollama') {
        loaded.add(body.model.includes(':') ? body.model : `${body.model}:latest`);
        const fitted = ollamaFit(body.messages);
        if (fitted.isCut) recorded.outcome = 'truncated';
        served = fitted.tokens;
      }
      const reply = replies.shift() ?? {};
      return new HttpResponse(stream(body.model, reply, served, maxTokens, request.signal), {
        headers: { 'content-type': 'text/event-stream' },
      });
    }),
  ];

  return {
    handlers,
    requests,
    baseURL: `${base}/v1`,
    reply: (next: ScriptedReply) => replies.push(next),
    /** Streams still generating (the server's own view: a cancelled request stops its slot). */
    get generating() {
      return generating;
    },
  };
}
