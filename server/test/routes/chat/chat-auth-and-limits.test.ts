import { apiPaths, errorBodySchema, threadIdHeader } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChatHarness,
  decodeBody,
  eventNames,
  eventually,
  type ChatHarness,
} from '../../helpers/chat-harness.js';

const alice = { authorization: 'Bearer alice-token-1' };
const bob = { authorization: 'Bearer bob-token-22' };

describe('auth and ownership on the chat and legacy routes', () => {
  let harness: ChatHarness;
  let aliceThreadId: string;
  beforeAll(async () => {
    harness = await createChatHarness({ AUTH_TOKENS: 'alice-token-1=alice,bob-token-22=bob' }, 'alice');
    const response = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { content: 'How much are meals reimbursed per day?', vectorStoreIds: [harness.vectorStoreId] },
    });
    aliceThreadId = String(response.headers[threadIdHeader]);
  });
  afterAll(async () => harness.close());

  it.each([
    ['POST', apiPaths.chatStream, { content: 'hi' }],
    [
      'POST',
      apiPaths.chatToolOutputs,
      { threadId: 't', runId: 'r', toolOutputs: [{ tool_call_id: 'c', output: '' }] },
    ],
    ['GET', apiPaths.models, undefined],
    ['POST', apiPaths.legacy.threads, undefined],
    ['POST', apiPaths.legacy.messages('thread_x'), { content: 'hi' }],
    ['GET', apiPaths.legacy.files, undefined],
    ['GET', apiPaths.legacy.file('file_x'), undefined],
  ] as const)('%s %s without a token → 401 in the error shape', async (method, url, payload) => {
    const response = await harness.app.inject({ method, url, ...(payload ? { payload } : {}) });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    expect(errorBodySchema.parse(response.json()).code).toBe('unauthorized');
  });

  it('rejects an unknown token with 401', async () => {
    const response = await harness.app.inject({
      method: 'GET',
      url: apiPaths.models,
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(response.statusCode).toBe(401);
  });

  it("records the owner's transcript: thread, user message and cited assistant answer", async () => {
    const transcript = await eventually(async () => {
      const messages = await harness.app.transcripts.listMessages('alice', aliceThreadId);
      return messages.length === 2 ? messages : undefined;
    });
    expect(transcript.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(transcript[0]?.text).toBe('How much are meals reimbursed per day?');
    const answer = transcript[1];
    expect(answer).toMatchObject({ runStatus: 'completed', threadId: aliceThreadId });
    expect(answer?.text).toMatch(/60 euros/);
    expect(answer?.citations.length).toBeGreaterThan(0);
    expect(answer?.citations[0]).toMatchObject({ index: 1, fileName: 'travel.md' });
    const thread = await harness.app.transcripts.getThread('alice', aliceThreadId);
    expect(thread?.title).toBe('How much are meals reimbursed per day?');
    expect(await harness.app.transcripts.getThread('bob', aliceThreadId)).toBeNull();
  });

  it("lets the owner continue the thread but answers 404 to anyone else's send", async () => {
    const own = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { threadId: aliceThreadId, content: 'And hotels?' },
    });
    expect(own.statusCode).toBe(200);
    expect(eventNames(decodeBody(own.headers['content-type'], own.body)).at(-1)).toBe('done');
    const other = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: bob,
      payload: { threadId: aliceThreadId, content: 'Let me in' },
    });
    expect(other.statusCode).toBe(404);
    expect(errorBodySchema.parse(other.json()).code).toBe('not_found');
  });

  it.each([
    [
      'tool outputs',
      'POST',
      apiPaths.chatToolOutputs,
      (id: string) => ({ threadId: id, runId: 'run_x', toolOutputs: [{ tool_call_id: 'c', output: '' }] }),
    ],
    ['legacy messages', 'POST', 'messages', () => ({ content: 'hi' })],
    [
      'legacy actions',
      'POST',
      'actions',
      () => ({ runId: 'run_x', toolCallOutputs: [{ tool_call_id: 'c', output: '' }] }),
    ],
  ] as const)("answers 404 to another user's %s", async (_name, method, path, body) => {
    const url =
      path === 'messages'
        ? apiPaths.legacy.messages(aliceThreadId)
        : path === 'actions'
          ? apiPaths.legacy.actions(aliceThreadId)
          : path;
    const response = await harness.app.inject({ method, url, headers: bob, payload: body(aliceThreadId) });
    expect(response.statusCode).toBe(404);
    expect(errorBodySchema.parse(response.json()).code).toBe('not_found');
  });

  it('keeps legacy threads per user too', async () => {
    const created = await harness.app.inject({ method: 'POST', url: apiPaths.legacy.threads, headers: bob });
    const { threadId } = created.json<{ threadId: string }>();
    const asAlice = await harness.app.inject({
      method: 'POST',
      url: apiPaths.legacy.messages(threadId),
      headers: alice,
      payload: { content: 'hi' },
    });
    expect(asAlice.statusCode).toBe(404);
  });
});

describe('trusted proxy user header', () => {
  let harness: ChatHarness;
  beforeAll(async () => {
    harness = await createChatHarness({ TRUSTED_PROXY_USER_HEADER: 'x-forwarded-user' }, 'carol');
  });
  afterAll(async () => harness.close());

  it('takes the user from the header and refuses requests without it', async () => {
    const missing = await harness.app.inject({ method: 'GET', url: apiPaths.models });
    expect(missing.statusCode).toBe(401);
    const response = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: { 'x-forwarded-user': 'carol' },
      payload: { content: 'Meals?', vectorStoreIds: [harness.vectorStoreId] },
    });
    expect(response.statusCode).toBe(200);
    const threadId = String(response.headers[threadIdHeader]);
    expect(await harness.app.recorder.findThreadOwner(threadId)).toBe('carol');
    const intruder = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: { 'x-forwarded-user': 'dave' },
      payload: { threadId, content: 'hi' },
    });
    expect(intruder.statusCode).toBe(404);
  });
});

describe('rate limits', () => {
  let harness: ChatHarness;
  beforeAll(async () => {
    harness = await createChatHarness(
      {
        AUTH_TOKENS: 'alice-token-1=alice,bob-token-22=bob',
        RATE_LIMIT_MAX: '2',
        RATE_LIMIT_WINDOW_MS: '60000',
      },
      'alice',
    );
  });
  afterAll(async () => harness.close());

  it('answers 429 in the error shape with Retry-After once a user is over the limit, per user', async () => {
    const models = (headers: Record<string, string>) =>
      harness.app.inject({ method: 'GET', url: apiPaths.models, headers });
    expect((await models(alice)).statusCode).toBe(200);
    expect((await models(alice)).statusCode).toBe(200);
    const limited = await models(alice);
    expect(limited.statusCode).toBe(429);
    expect(errorBodySchema.parse(limited.json())).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const stream = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { content: 'hi' },
    });
    expect(stream.statusCode).toBe(429);
    expect((await models(bob)).statusCode).toBe(200);
  });

  it('never limits /health', async () => {
    for (let index = 0; index < 5; index += 1) {
      const response = await harness.app.inject({ method: 'GET', url: '/health' });
      expect(response.statusCode).toBe(200);
    }
  });
});

describe('rate limits without auth are per client IP', () => {
  let harness: ChatHarness;
  beforeAll(async () => {
    harness = await createChatHarness({ RATE_LIMIT_MAX: '1' });
  });
  afterAll(async () => harness.close());

  it('limits one address without touching another', async () => {
    const fromIp = (remoteAddress: string) =>
      harness.app.inject({ method: 'GET', url: apiPaths.models, remoteAddress });
    expect((await fromIp('10.0.0.1')).statusCode).toBe(200);
    expect((await fromIp('10.0.0.1')).statusCode).toBe(429);
    expect((await fromIp('10.0.0.2')).statusCode).toBe(200);
  });
});
