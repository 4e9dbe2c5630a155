import { apiPaths, healthSchema } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { http, HttpResponse, passthrough } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { assistantsStreamProblems, finalMessage, textOf } from '../helpers/assistants-stream-checks.js';
import { createChatHarness, decodeBody, eventNames, type ChatHarness } from '../helpers/chat-harness.js';
import { readOpenAIFixture } from '../helpers/openai-fixtures.js';
import { testConfig } from '../helpers/test-config.js';
import { useTestApp } from '../helpers/test-app.js';

const openaiUrl = 'https://api.openai.test/v1';
const conversationId = 'conv_68e4b1c2a5d08190b1f2c3d4e5f60718';
const responseBodies: unknown[] = [];

// OpenAI is the outside world here; loopback (a second Threadline) passes through.
const mockServer = setupServer(
  http.post(`${openaiUrl}/conversations`, () =>
    HttpResponse.json({
      id: conversationId,
      object: 'conversation',
      created_at: 1_760_866_900,
      metadata: {},
    }),
  ),
  http.post(`${openaiUrl}/responses`, async ({ request }) => {
    responseBodies.push(await request.json());
    return new HttpResponse(readOpenAIFixture('file-search-citations.sse'), {
      headers: { 'content-type': 'text/event-stream' },
    });
  }),
  http.get(`${openaiUrl}/models`, () =>
    HttpResponse.json({
      object: 'list',
      data: [{ id: 'gpt-4.1-mini', object: 'model', created: 1, owned_by: 'system' }],
    }),
  ),
  http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()),
);
beforeAll(() => mockServer.listen({ onUnhandledRequest: 'error' }));
afterAll(() => mockServer.close());

describe('ENGINE=openai serves /chat/stream from the Responses API', () => {
  const { app } = useTestApp({
    ENGINE: 'openai',
    OPENAI_API_KEY: 'sk-test',
    OPENAI_BASE_URL: openaiUrl,
  });

  it('announces the conversation as the thread and relays the mapped run, citations included', async () => {
    const response = await app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      payload: { content: 'How much leave do I get?', vectorStoreIds: ['vs_handbook'] },
    });
    expect(response.statusCode).toBe(200);
    const events = decodeBody(response.headers['content-type'], response.body);
    const names = eventNames(events);
    expect(names[0]).toBe('thread.created');
    expect(events[0]?.data).toMatchObject({ id: conversationId });
    expect(names.slice(-2)).toEqual(['thread.run.completed', 'done']);
    expect(assistantsStreamProblems(events.slice(1, -1))).toEqual([]);
    expect(textOf(finalMessage(events))).toContain('annual leave.【0:0†handbook.md】');
    expect(responseBodies.at(-1)).toMatchObject({
      model: 'gpt-4.1-mini',
      conversation: conversationId,
      input: [{ type: 'message', role: 'user', content: 'How much leave do I get?' }],
      tools: [{ type: 'file_search', vector_store_ids: ['vs_handbook'] }],
      stream: true,
    });
  });

  it('reports the engine reachable in /health', async () => {
    const response = await app.inject({ method: 'GET', url: apiPaths.health });
    expect(healthSchema.parse(response.json()).engine).toEqual({ name: 'openai', reachable: true });
  });
});

describe('ENGINE=assistants serves /chat/stream from another Threadline’s /v1', () => {
  let upstream: ChatHarness;
  let app: FastifyInstance;
  const config = { cleanup: () => {} };
  beforeAll(async () => {
    upstream = await createChatHarness();
    const baseUrl = await upstream.listen();
    const own = testConfig({ ENGINE: 'assistants', ASSISTANTS_BASE_URL: `${baseUrl}/v1` });
    config.cleanup = own.cleanup;
    app = await buildApp(own, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    await upstream.close();
    config.cleanup();
  });

  it('streams a cited answer end to end', async () => {
    const response = await app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      payload: {
        content: 'How much are meals reimbursed per day?',
        vectorStoreIds: [upstream.vectorStoreId],
      },
    });
    expect(response.statusCode).toBe(200);
    const events = decodeBody(response.headers['content-type'], response.body);
    expect(eventNames(events).slice(-2)).toEqual(['thread.run.completed', 'done']);
    expect(assistantsStreamProblems(events.slice(1, -1))).toEqual([]);
    const message = finalMessage(events);
    expect(textOf(message)).toMatch(/60 euros/);
    expect(
      message?.content[0]?.type === 'text' && message.content[0].text.annotations.length,
    ).toBeGreaterThan(0);
  });
});
