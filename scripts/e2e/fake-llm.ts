// A slow OpenAI-compatible chat-completions endpoint for the e2e: it stands in for the outside
// world (an LLM) so an answer is still streaming when the test presses Stop, and it records
// whether the server closed the upstream request early (a real cancel, not only a client abort).
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';

export type FakeLlm = {
  /** `LLM_BASE_URL` for the server under test. */
  baseUrl: string;
  /** Completion requests received so far. */
  requests: () => number;
  /** Resolves once a streaming request was closed by its caller before the answer ended. */
  closedEarly: (timeoutMs: number) => Promise<void>;
  close: () => Promise<void>;
};

const words =
  'Threadline keeps answering while the database is down: the background writer queues every message ' +
  'in memory and retries with backoff until the database answers again, so no transcript is lost.';

/** Word tokens with a `[1]` citation after the 3rd and then every 10th one, `count` in all. */
export function fakeTokens(count: number): string[] {
  const pool = words.split(' ');
  return Array.from({ length: count }, (_, index) => {
    const word = `${index === 0 ? '' : ' '}${pool[index % pool.length] ?? 'text'}`;
    return index % 10 === 2 ? `${word} [1]` : word;
  });
}

const chunk = (content: string | null, finishReason: string | null, usage?: Record<string, number>) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-e2e',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: 'e2e-slow-llm',
    choices: usage
      ? []
      : [
          {
            index: 0,
            delta: content === null ? {} : { role: 'assistant', content },
            finish_reason: finishReason,
          },
        ],
    ...(usage ? { usage } : {}),
  })}\n\n`;

export async function startFakeLlm(options: { tokenDelayMs: number; tokenCount: number }): Promise<FakeLlm> {
  let requests = 0;
  let markClosedEarly = () => {};
  const closedEarly = new Promise<void>((resolve) => (markClosedEarly = resolve));

  const stream = (response: ServerResponse) => {
    const tokens = fakeTokens(options.tokenCount);
    response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let sent = 0;
    const timer = setInterval(() => {
      const token = tokens[sent];
      sent += 1;
      if (token !== undefined) {
        response.write(chunk(token, null));
        return;
      }
      clearInterval(timer);
      response.write(chunk(null, 'stop'));
      response.write(
        chunk(null, null, {
          prompt_tokens: 50,
          completion_tokens: tokens.length,
          total_tokens: 50 + tokens.length,
        }),
      );
      response.end('data: [DONE]\n\n');
    }, options.tokenDelayMs);
    // The caller hung up: stop writing, and remember that the cancel reached the outside world.
    response.on('close', () => {
      clearInterval(timer);
      if (!response.writableFinished) markClosedEarly();
    });
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    let body = '';
    request.on('data', (part: Buffer) => (body += part.toString()));
    request.on('end', () => {
      if (request.method !== 'POST' || !request.url?.endsWith('/chat/completions')) {
        response.writeHead(404, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: `no route ${request.method} ${request.url}` } }));
        return;
      }
      if (!body.includes('"stream":true')) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: { message: 'the e2e fake LLM only streams' } }));
        return;
      }
      requests += 1;
      stream(response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests: () => requests,
    closedEarly: (timeoutMs) =>
      Promise.race([
        closedEarly,
        new Promise<void>((_, reject) =>
          setTimeout(
            () => reject(new Error(`the fake LLM's request was not closed within ${timeoutMs} ms`)),
            timeoutMs,
          ).unref(),
        ),
      ]),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
