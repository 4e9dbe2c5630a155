import type { AssistantStreamEvent } from '@threadline/shared';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { OpenAIEngine } from '../../../src/engines/openai/openai-engine.js';
import { AppError } from '../../../src/http/errors/app-error.js';
import {
  assistantsStreamProblems,
  finalMessage,
  streamedText,
  textOf,
} from '../../helpers/assistants-stream-checks.js';
import { readOpenAIFixture, sseFrames } from '../../helpers/openai-fixtures.js';

const baseURL = 'https://api.openai.test/v1';
const threadId = 'conv_68e4b1c2a5d08190b1f2c3d4e5f60718';
const server = setupServer();
beforeAll(() =>
  server.listen({
    onUnhandledRequest: (request, print) => {
      // The SDK probes its fetch with a `data:` URL before the first upload; that stays local.
      if (!request.url.startsWith('data:')) print.error();
    },
  }),
);
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const newEngine = () =>
  new OpenAIEngine({
    apiKey: 'sk-test',
    baseURL,
    model: 'gpt-4.1-mini',
    maxNumResults: 20,
    lockRetry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 10 },
  });

/** The request body, parsed with the fields the tests look at (the rest passes through). */
const responseRequestSchema = z.looseObject({
  model: z.string(),
  conversation: z.string(),
  input: z.array(z.unknown()),
  tools: z.array(z.unknown()),
  stream: z.boolean(),
});

const sse = (text: string) =>
  new HttpResponse(text, { headers: { 'content-type': 'text/event-stream; charset=utf-8' } });

function recordResponses(answer: () => Response) {
  const bodies: z.infer<typeof responseRequestSchema>[] = [];
  server.use(
    http.post(`${baseURL}/responses`, async ({ request }) => {
      bodies.push(responseRequestSchema.parse(await request.json()));
      return answer();
    }),
  );
  return bodies;
}

const conversationJson = (metadata: Record<string, string>) => ({
  id: threadId,
  object: 'conversation',
  created_at: 1_760_866_900,
  metadata,
});

async function collect(stream: AsyncIterable<AssistantStreamEvent>): Promise<AssistantStreamEvent[]> {
  const events: AssistantStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('OpenAIEngine over msw (Responses + Conversations)', () => {
  it('creates a conversation, sends the message as input with file_search over the thread stores', async () => {
    let createBody: unknown;
    server.use(
      http.post(`${baseURL}/conversations`, async ({ request }) => {
        createBody = await request.json();
        return HttpResponse.json(conversationJson({ threadline_vector_store_ids: 'vs_1,vs_2' }));
      }),
      http.get(`${baseURL}/conversations/${threadId}`, () =>
        HttpResponse.json(conversationJson({ threadline_vector_store_ids: 'vs_1,vs_2' })),
      ),
    );
    const bodies = recordResponses(() => sse(readOpenAIFixture('plain-answer.sse')));
    const engine = newEngine();

    const thread = await engine.createThread({ vectorStoreIds: ['vs_1', 'vs_2'] });
    expect(createBody).toEqual({ metadata: { threadline_vector_store_ids: 'vs_1,vs_2' } });
    expect(thread).toMatchObject({
      id: threadId,
      tool_resources: { file_search: { vector_store_ids: ['vs_1', 'vs_2'] } },
    });

    const message = await engine.appendMessage(thread.id, { content: 'Hi there' });
    expect(message).toMatchObject({ role: 'user', thread_id: threadId, status: 'completed' });
    const events = await collect(engine.streamRun(thread.id, {}, new AbortController().signal));

    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toMatchObject({
      model: 'gpt-4.1-mini',
      conversation: threadId,
      input: [{ type: 'message', role: 'user', content: 'Hi there' }],
      tools: [{ type: 'file_search', vector_store_ids: ['vs_1', 'vs_2'], max_num_results: 20 }],
      include: ['file_search_call.results'],
      stream: true,
    });
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(textOf(finalMessage(events))).toBe('Hello! How can I help you today?');
    expect(events.at(-1)).toMatchObject({ event: 'thread.run.completed', data: { thread_id: threadId } });
  });

  it('streams file_search and citations with explicit vector stores and no extra lookup', async () => {
    // No conversation handler: with vectorStoreIds given, the engine must not fetch the thread.
    const bodies = recordResponses(() => sse(readOpenAIFixture('file-search-citations.sse')));
    const engine = newEngine();
    await engine.appendMessage(threadId, { content: 'How much leave do I get?' });
    const events = await collect(
      engine.streamRun(
        threadId,
        { vectorStoreIds: ['vs_handbook'], model: 'gpt-4.1', maxNumResults: 8 },
        new AbortController().signal,
      ),
    );
    expect(bodies[0]).toMatchObject({
      model: 'gpt-4.1',
      tools: [{ type: 'file_search', vector_store_ids: ['vs_handbook'], max_num_results: 8 }],
    });
    expect(assistantsStreamProblems(events)).toEqual([]);
    const text = textOf(finalMessage(events));
    expect(text).toContain('annual leave.【0:0†handbook.md】 Up to');
    expect([...streamedText(events).values()]).toEqual([text]);
    expect(
      events.filter((event) => event.event === 'thread.run.step.created').map((event) => event.data),
    ).toMatchObject([{ type: 'tool_calls' }, { type: 'message_creation' }]);
  });

  it('ends with a failed run when OpenAI sends an error mid-stream', async () => {
    recordResponses(() => sse(readOpenAIFixture('error-mid-stream.sse')));
    const events = await collect(
      newEngine().streamRun(threadId, { vectorStoreIds: [] }, new AbortController().signal),
    );
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(events.at(-1)).toMatchObject({
      event: 'thread.run.failed',
      data: { last_error: { code: 'server_error' } },
    });
    expect(finalMessage(events)).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'run_failed' },
    });
  });

  it('answers 429 with upstream_rate_limited and the Retry-After, without retrying', async () => {
    const bodies = recordResponses(() =>
      HttpResponse.json(
        {
          error: {
            message: 'Rate limit reached for gpt-4.1-mini in organization org-abc',
            type: 'requests',
            code: 'rate_limit_exceeded',
          },
        },
        { status: 429, headers: { 'retry-after': '7' } },
      ),
    );
    const error: unknown = await collect(
      newEngine().streamRun(threadId, { vectorStoreIds: [] }, new AbortController().signal),
    ).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({
      statusCode: 429,
      code: 'upstream_rate_limited',
      headers: { 'retry-after': '7' },
    });
    expect((error as AppError).message).not.toContain('org-abc');
    expect(bodies).toHaveLength(1);
  });

  it('maps a rejected key to 502 upstream_error without the upstream text', async () => {
    recordResponses(() =>
      HttpResponse.json(
        { error: { message: 'Incorrect API key provided: sk-test', code: 'invalid_api_key' } },
        { status: 401 },
      ),
    );
    const error: unknown = await collect(
      newEngine().streamRun(threadId, { vectorStoreIds: [] }, new AbortController().signal),
    ).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ statusCode: 502, code: 'upstream_error' });
    expect((error as AppError).message).not.toContain('sk-test');
  });

  it('retries conversation_locked with backoff, then streams', async () => {
    let calls = 0;
    const bodies = recordResponses(() => {
      calls += 1;
      if (calls <= 2) {
        return HttpResponse.json(
          {
            error: {
              message:
                'Another process is currently operating on this conversation. Please retry in a few seconds.',
              type: 'invalid_request_error',
              param: null,
              code: 'conversation_locked',
            },
          },
          { status: 400 },
        );
      }
      return sse(readOpenAIFixture('plain-answer.sse'));
    });
    const events = await collect(
      newEngine().streamRun(threadId, { vectorStoreIds: [] }, new AbortController().signal),
    );
    expect(bodies).toHaveLength(3);
    expect(events.at(-1)?.event).toBe('thread.run.completed');
  });

  it('gives up on conversation_locked after the bounded attempts', async () => {
    const bodies = recordResponses(() =>
      HttpResponse.json({ error: { message: 'locked', code: 'conversation_locked' } }, { status: 400 }),
    );
    await expect(
      collect(newEngine().streamRun(threadId, { vectorStoreIds: [] }, new AbortController().signal)),
    ).rejects.toMatchObject({ statusCode: 502, code: 'upstream_error' });
    expect(bodies).toHaveLength(4);
  });
});

describe('OpenAIEngine function tools', () => {
  it('ends in requires_action, then continues the same run from submitted outputs', async () => {
    const fixtures = ['function-call.sse', 'plain-answer.sse'];
    const bodies = recordResponses(() => sse(readOpenAIFixture(fixtures.shift() ?? 'plain-answer.sse')));
    const engine = newEngine();
    const weather = {
      type: 'function' as const,
      function: {
        name: 'get_weather',
        parameters: { type: 'object', properties: { city: { type: 'string' } } },
      },
    };
    await engine.appendMessage(threadId, { content: 'Weather in Paris?' });
    const first = await collect(
      engine.streamRun(threadId, { vectorStoreIds: [], tools: [weather] }, new AbortController().signal),
    );
    const last = first.at(-1);
    expect(last?.event).toBe('thread.run.requires_action');
    const runId = last?.event === 'thread.run.requires_action' ? last.data.id : '';
    expect(bodies[0]).toMatchObject({ tools: [{ type: 'function', name: 'get_weather' }] });

    const continued = await collect(
      engine.submitToolOutputs(
        threadId,
        runId,
        [{ tool_call_id: 'call_Xy7Pq2Lm9Rt4Vb6N', output: '{"temperature":21}' }],
        new AbortController().signal,
      ),
    );
    expect(bodies[1]).toMatchObject({
      conversation: threadId,
      input: [
        { type: 'function_call_output', call_id: 'call_Xy7Pq2Lm9Rt4Vb6N', output: '{"temperature":21}' },
      ],
      tools: [{ type: 'function', name: 'get_weather' }],
    });
    expect(continued[0]).toMatchObject({
      event: 'thread.run.step.completed',
      data: {
        run_id: runId,
        step_details: {
          tool_calls: [{ id: 'call_Xy7Pq2Lm9Rt4Vb6N', function: { output: '{"temperature":21}' } }],
        },
      },
    });
    expect(continued.at(-1)).toMatchObject({ event: 'thread.run.completed', data: { id: runId } });
  });
});

describe('OpenAIEngine cancellation', () => {
  /** Serves the fixture up to the third text delta, then holds the stream open like a slow model. */
  function hangingResponse() {
    const state = { upstreamClosed: false };
    const frames = sseFrames(readOpenAIFixture('file-search-citations.sse'));
    const cut = frames.findIndex((frame) => frame.startsWith('event: response.output_text.delta')) + 3;
    server.use(
      http.post(`${baseURL}/responses`, ({ request }) => {
        request.signal.addEventListener('abort', () => {
          state.upstreamClosed = true;
        });
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          start(controller) {
            for (const frame of frames.slice(0, cut)) controller.enqueue(encoder.encode(frame));
          },
          cancel() {
            state.upstreamClosed = true;
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
    );
    return state;
  }

  async function readUntilDeltas(stream: AsyncIterator<AssistantStreamEvent>, count: number) {
    const events: AssistantStreamEvent[] = [];
    let deltas = 0;
    while (deltas < count) {
      const next = await stream.next();
      if (next.done) throw new Error('stream ended early');
      events.push(next.value);
      if (next.value.event === 'thread.message.delta') deltas += 1;
    }
    return events;
  }

  it('on abort closes the upstream request and ends with message.incomplete + run.cancelled', async () => {
    const state = hangingResponse();
    const controller = new AbortController();
    const run = newEngine().streamRun(threadId, { vectorStoreIds: ['vs_handbook'] }, controller.signal);
    const iterator = run[Symbol.asyncIterator]();
    const events = await readUntilDeltas(iterator, 2);
    const started = performance.now();
    controller.abort();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) events.push(next.value);
    expect(performance.now() - started).toBeLessThan(500);
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(events.slice(-3).map((event) => event.event)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.cancelled',
      'thread.run.cancelled',
    ]);
    expect(finalMessage(events)).toMatchObject({ incomplete_details: { reason: 'run_cancelled' } });
    expect(textOf(finalMessage(events))).toBe('You get');
    await expect.poll(() => state.upstreamClosed).toBe(true);
  });

  it('cancelActiveRuns stops the running stream of that thread only', async () => {
    hangingResponse();
    const engine = newEngine();
    const run = engine.streamRun(threadId, { vectorStoreIds: ['vs_handbook'] }, new AbortController().signal);
    const iterator = run[Symbol.asyncIterator]();
    const events = await readUntilDeltas(iterator, 1);
    await engine.cancelActiveRuns('conv_other');
    await engine.cancelActiveRuns(threadId);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) events.push(next.value);
    expect(events.at(-1)?.event).toBe('thread.run.cancelled');
    expect(assistantsStreamProblems(events)).toEqual([]);
  });

  it('an abort before OpenAI answers still reports a cancelled run', async () => {
    const controller = new AbortController();
    controller.abort();
    recordResponses(() => sse(readOpenAIFixture('plain-answer.sse')));
    const events = await collect(newEngine().streamRun(threadId, { vectorStoreIds: [] }, controller.signal));
    expect(events.map((event) => event.event)).toEqual(['thread.run.created', 'thread.run.cancelled']);
  });
});

describe('OpenAIEngine reads', () => {
  it('lists conversation messages with citation markers restored', async () => {
    server.use(
      http.get(`${baseURL}/conversations/${threadId}`, () => HttpResponse.json(conversationJson({}))),
      http.get(`${baseURL}/conversations/${threadId}/items`, () =>
        HttpResponse.json({
          object: 'list',
          data: [
            {
              id: 'msg_user',
              type: 'message',
              status: 'completed',
              role: 'user',
              content: [{ type: 'input_text', text: 'Leave?' }],
            },
            { id: 'fs_1', type: 'file_search_call', status: 'completed', queries: ['leave'], results: null },
            {
              id: 'msg_answer',
              type: 'message',
              status: 'completed',
              role: 'assistant',
              content: [
                {
                  type: 'output_text',
                  text: '25 days.',
                  annotations: [
                    { type: 'file_citation', file_id: 'file-1', filename: 'handbook.md', index: 8 },
                  ],
                  logprobs: [],
                },
              ],
            },
          ],
          first_id: 'msg_user',
          last_id: 'msg_answer',
          has_more: false,
        }),
      ),
    );
    const messages = await newEngine().listMessages(threadId);
    expect(messages.map((message) => [message.role, textOf(message)])).toEqual([
      ['user', 'Leave?'],
      ['assistant', '25 days.【0:0†handbook.md】'],
    ]);
  });

  it('returns null for an unknown thread and lists models', async () => {
    server.use(
      http.get(`${baseURL}/conversations/conv_missing`, () =>
        HttpResponse.json({ error: { message: 'not found', code: null } }, { status: 404 }),
      ),
      http.get(`${baseURL}/models`, () =>
        HttpResponse.json({
          object: 'list',
          data: [{ id: 'gpt-4.1-mini', object: 'model', created: 1, owned_by: 'system' }],
        }),
      ),
    );
    const engine = newEngine();
    await expect(engine.getThread('conv_missing')).resolves.toBeNull();
    await expect(engine.listModels()).resolves.toEqual([
      { id: 'gpt-4.1-mini', ownedBy: 'system', description: '' },
    ]);
    await expect(engine.health()).resolves.toEqual({ reachable: true });
  });

  it('reports an unreachable API in health without throwing', async () => {
    server.use(http.get(`${baseURL}/models`, () => HttpResponse.error()));
    await expect(newEngine().health()).resolves.toEqual({
      reachable: false,
      detail: 'the API is unreachable',
    });
  });
});

describe('OpenAIEngine knowledge base (vector stores and files)', () => {
  it('uploads with purpose assistants, attaches to the store and reports the file', async () => {
    let upload: { purpose: unknown; fileName: string | undefined } | undefined;
    let attachBody: unknown;
    server.use(
      http.post(`${baseURL}/files`, async ({ request }) => {
        const form = await request.formData();
        const file = form.get('file');
        upload = { purpose: form.get('purpose'), fileName: file instanceof File ? file.name : undefined };
        return HttpResponse.json({
          id: 'file-abc',
          object: 'file',
          bytes: 42,
          created_at: 1_760_000_000,
          filename: 'handbook.md',
          purpose: 'assistants',
          status: 'processed',
        });
      }),
      http.post(`${baseURL}/vector_stores/vs_1/files`, async ({ request }) => {
        attachBody = await request.json();
        return HttpResponse.json({
          id: 'file-abc',
          object: 'vector_store.file',
          created_at: 1_760_000_001,
          usage_bytes: 0,
          vector_store_id: 'vs_1',
          status: 'in_progress',
          last_error: null,
        });
      }),
    );
    const file = await newEngine().vectorStores.addFile('vs_1', {
      fileName: 'handbook.md',
      bytes: Buffer.from('# Handbook'),
      contentType: 'text/markdown',
    });
    expect(upload).toEqual({ purpose: 'assistants', fileName: 'handbook.md' });
    expect(attachBody).toEqual({ file_id: 'file-abc' });
    expect(file).toEqual({
      id: 'file-abc',
      vectorStoreId: 'vs_1',
      fileName: 'handbook.md',
      bytes: 42,
      status: 'in_progress',
      lastError: null,
      chunkCount: 0,
      createdAt: '2025-10-09T08:53:21.000Z',
    });
  });

  it('searches several stores and merges the hits by score', async () => {
    const bodies: unknown[] = [];
    const hit = (fileId: string, score: number) => ({
      file_id: fileId,
      filename: `${fileId}.md`,
      score,
      attributes: {},
      content: [{ type: 'text', text: `text of ${fileId}` }],
    });
    server.use(
      http.post(`${baseURL}/vector_stores/:id/search`, async ({ request, params }) => {
        bodies.push(await request.json());
        const data =
          params['id'] === 'vs_a' ? [hit('file-a1', 0.9), hit('file-a2', 0.4)] : [hit('file-b1', 0.7)];
        return HttpResponse.json({
          object: 'vector_store.search_results.page',
          search_query: 'q',
          data,
          has_more: false,
          next_page: null,
        });
      }),
    );
    const hits = await newEngine().vectorStores.search(['vs_a', 'vs_b'], {
      query: 'leave',
      maxNumResults: 2,
      scoreThreshold: 0.3,
    });
    expect(bodies).toEqual([
      { query: 'leave', max_num_results: 2, ranking_options: { score_threshold: 0.3 } },
      { query: 'leave', max_num_results: 2, ranking_options: { score_threshold: 0.3 } },
    ]);
    expect(hits.map((item) => [item.fileId, item.score, item.text])).toEqual([
      ['file-a1', 0.9, 'text of file-a1'],
      ['file-b1', 0.7, 'text of file-b1'],
    ]);
  });

  it('answers null and false for objects OpenAI does not have', async () => {
    const missing = () =>
      HttpResponse.json({ error: { message: 'No such vector store', code: null } }, { status: 404 });
    server.use(
      http.get(`${baseURL}/vector_stores/vs_gone`, missing),
      http.delete(`${baseURL}/vector_stores/vs_gone`, missing),
      http.get(`${baseURL}/files/file-gone`, missing),
    );
    const engine = newEngine();
    await expect(engine.vectorStores.get('vs_gone')).resolves.toBeNull();
    await expect(engine.vectorStores.delete('vs_gone')).resolves.toBe(false);
    await expect(engine.files.get('file-gone')).resolves.toBeNull();
  });
});
