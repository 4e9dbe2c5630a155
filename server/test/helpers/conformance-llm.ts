import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The model name that streams slowly (one word every 20 ms), for cancelling mid-answer. */
export const slowModel = 'conformance-slow';

type ChatRequest = {
  model?: string;
  messages?: Array<{ role: string; content?: unknown }>;
  tools?: Array<{ type: string; function?: { name: string } }>;
};

const chunk = (model: string, delta: object, finishReason: string | null = null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-conformance',
    object: 'chat.completion.chunk',
    created: 1,
    model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  })}\n\n`;

const readJson = async (request: IncomingMessage): Promise<ChatRequest> => {
  let body = '';
  for await (const part of request) body += String(part);
  return JSON.parse(body) as ChatRequest;
};

/**
 * A deterministic OpenAI-compatible chat-completions server on loopback (`LLM_BASE_URL` for a
 * server process under test): offered functions, it asks for the first one (arguments
 * `{"city":"Oslo"}`); given a tool result, it answers "The tool said: <result>."; otherwise it
 * answers "Grounded answer." — or, for {@link slowModel}, 300 words slowly.
 */
export async function startConformanceLlm(): Promise<{ baseUrl: string; close: () => Promise<void> }> {
  const server = createServer((request, response) => {
    void (async () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404).end();
        return;
      }
      const body = await readJson(request);
      const model = body.model ?? 'conformance';
      const last = body.messages?.at(-1);
      const firstFunction = body.tools?.find((tool) => tool.type === 'function')?.function?.name;
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const frames: string[] = [];
      let delayMs = 0;
      if (firstFunction !== undefined && last?.role !== 'tool') {
        const call = {
          index: 0,
          id: `call_${Math.random().toString(36).slice(2, 10)}`,
          type: 'function',
          function: { name: firstFunction, arguments: '' },
        };
        frames.push(chunk(model, { role: 'assistant', tool_calls: [call] }));
        for (const piece of ['{"city":', '"Oslo"}'])
          frames.push(chunk(model, { tool_calls: [{ index: 0, function: { arguments: piece } }] }));
        frames.push(chunk(model, {}, 'tool_calls'));
      } else {
        const text =
          last?.role === 'tool'
            ? `The tool said: ${String(last.content)}.`
            : model === slowModel
              ? Array.from({ length: 300 }, (_, index) => `word${index} `).join('')
              : 'Grounded answer.';
        if (model === slowModel) delayMs = 20;
        for (const word of text.match(/\S+\s*/g) ?? [])
          frames.push(chunk(model, { role: 'assistant', content: word }));
        frames.push(chunk(model, {}, 'stop'));
      }
      frames.push('data: [DONE]\n\n');
      for (const frame of frames) {
        if (response.destroyed) return;
        response.write(frame);
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      response.end();
    })().catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
