import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';

/** The OpenAI-compatible chat endpoint the local engine is pointed at (LLM_BASE_URL). */
export const mockLlmBaseUrl = 'http://llm.test/v1';

/** A model still typing: `count` words (`word0 `, `word1 `…), one every `delayMs`. */
export const slowWords = (count = 400, delayMs = 15): LlmScript => ({
  tokens: Array.from({ length: count }, (_, index) => `word${index} `),
  delayMs,
});

export type LlmScript = {
  /** Content deltas, streamed one chunk each. */
  tokens?: string[];
  delayMs?: number;
  /** After this many tokens the connection breaks (the body stream errors). */
  failAfter?: number;
  /** Answer with one function call instead of text. */
  toolCall?: { name: string; arguments: string };
  /** Answer the request itself with this status (e.g. 429) instead of a stream. */
  status?: number;
};

const chunk = (delta: object, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl_1',
    object: 'chat.completion.chunk',
    created: 1,
    model: 'mock-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;

const failure = Symbol('failure');

function framesFor(script: LlmScript): (string | typeof failure)[] {
  if (script.toolCall) {
    const call = { index: 0, id: 'call_1', type: 'function', function: script.toolCall };
    return [chunk({ role: 'assistant', tool_calls: [call] }), chunk({}, 'tool_calls'), 'data: [DONE]\n\n'];
  }
  const tokens = script.tokens ?? [];
  const frames: (string | typeof failure)[] = tokens.map((token) => chunk({ content: token }));
  if (script.failAfter !== undefined) return [...frames.slice(0, script.failAfter), failure];
  return [...frames, chunk({}, 'stop'), 'data: [DONE]\n\n'];
}

/**
 * msw stands in for the outside world only: an LLM server streaming chat-completion chunks.
 * Loopback requests (the app under test) pass through untouched.
 */
export function createMockLlm() {
  let script: LlmScript = { tokens: ['Meals are reimbursed ', 'up to 60 euros [1].'] };
  const requests: unknown[] = [];
  const server = setupServer(
    // Asked for its window as llama-server is (tools/server GET /props → a slot's n_ctx).
    http.get(`${new URL(mockLlmBaseUrl).origin}/props`, () =>
      HttpResponse.json({ default_generation_settings: { n_ctx: 8192 }, total_slots: 1 }),
    ),
    http.post(`${mockLlmBaseUrl}/chat/completions`, async ({ request }) => {
      requests.push(await request.json());
      const current = script;
      if (current.status) {
        return HttpResponse.json(
          { error: { message: 'slow down', type: 'rate_limit', code: null } },
          { status: current.status, headers: { 'retry-after': '7' } },
        );
      }
      const encoder = new TextEncoder();
      const frames = framesFor(current);
      let position = 0;
      // pull(), not a loop in start(): a cancelled body then stops at once, as a socket would.
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          // A real socket dies with the request; msw's body would otherwise wait forever.
          const onAbort = () => {
            try {
              controller.error(new Error('request aborted'));
            } catch {
              // Already closed: nothing is waiting on it.
            }
          };
          request.signal.addEventListener('abort', onAbort, { once: true });
        },
        async pull(controller) {
          if (request.signal.aborted) return;
          const frame = frames[position];
          position += 1;
          if (frame === undefined) return controller.close();
          if (frame === failure) return controller.error(new Error('connection reset by mock LLM'));
          if (position > 1 && current.delayMs)
            await new Promise((resolve) => setTimeout(resolve, current.delayMs));
          controller.enqueue(encoder.encode(frame));
        },
      });
      return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
    }),
  );
  return {
    requests,
    script: (next: LlmScript) => {
      script = next;
    },
    listen: () =>
      server.listen({
        onUnhandledRequest(request, print) {
          // The SDK probes its fetch with a `data:` URL before the first upload; that stays local.
          if (request.url.startsWith('data:')) return;
          const host = new URL(request.url).hostname;
          if (host === '127.0.0.1' || host === 'localhost') return;
          print.error();
        },
      }),
    close: () => server.close(),
  };
}
