import { apiPaths, errorBodySchema, maxMessageCharacters, threadIdHeader } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assistantsStreamProblems } from '../../helpers/assistants-stream-checks.js';
import { createChatHarness, decodeBody, eventNames, type ChatHarness } from '../../helpers/chat-harness.js';

describe('POST /chat/stream over app.inject', () => {
  let harness: ChatHarness;
  beforeAll(async () => {
    harness = await createChatHarness();
  });
  afterAll(async () => harness.close());

  const send = (payload: object, accept?: string) =>
    harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      payload,
      headers: accept ? { accept } : {},
    });

  it('creates a thread, announces it first, and streams SSE ending with done', async () => {
    const response = await send({
      content: 'How much are meals reimbursed per day?',
      vectorStoreIds: [harness.vectorStoreId],
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-accel-buffering']).toBe('no');
    expect(response.headers['content-encoding']).toBeUndefined();
    // The security headers reach a hijacked stream too.
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    const events = decodeBody(response.headers['content-type'], response.body);
    const names = eventNames(events);
    expect(names[0]).toBe('thread.created');
    expect(names.at(-1)).toBe('done');
    expect(names.at(-2)).toBe('thread.run.completed');
    const threadId = events[0]?.event === 'thread.created' ? events[0].data.id : '';
    expect(response.headers[threadIdHeader]).toBe(threadId);
    expect(assistantsStreamProblems(events.slice(1, -1))).toEqual([]);
    const created = names.indexOf('thread.message.created');
    const firstDelta = names.indexOf('thread.message.delta');
    expect(created).toBeGreaterThan(0);
    expect(firstDelta).toBeGreaterThan(created);
    const completed = events.find((event) => event.event === 'thread.message.completed');
    const text = completed?.event === 'thread.message.completed' ? completed.data.content[0] : undefined;
    expect(text?.type === 'text' ? text.text.value : '').toMatch(/60 euros/);
  });

  it('continues an existing thread without thread.created, as NDJSON when asked', async () => {
    const first = await send({
      content: 'How much are meals reimbursed?',
      vectorStoreIds: [harness.vectorStoreId],
    });
    const threadId = String(first.headers[threadIdHeader]);
    const response = await send({ threadId, content: 'And hotels per night?' }, 'application/x-ndjson');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
    expect(response.headers[threadIdHeader]).toBe(threadId);
    const lines = response.body.split('\n').filter(Boolean);
    const events = decodeBody(response.headers['content-type'], response.body);
    expect(events).toHaveLength(lines.length);
    expect(eventNames(events)).not.toContain('thread.created');
    expect(eventNames(events)).not.toContain('done');
    expect(assistantsStreamProblems(events)).toEqual([]);
    const messages = await harness.app.engine.listMessages(threadId, { order: 'asc' });
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
  });

  it.each([
    ['missing content', {}, 'content'],
    ['empty content', { content: '   ' }, 'content'],
    ['content over the limit', { content: 'x'.repeat(maxMessageCharacters + 1) }, 'content'],
    ['a malformed thread id', { threadId: 'bad id!', content: 'hi' }, 'threadId'],
    ['a non-array vectorStoreIds', { content: 'hi', vectorStoreIds: 'vs_1' }, 'vectorStoreIds'],
    ['an empty model', { content: 'hi', model: '' }, 'model'],
    ['a non-function tool', { content: 'hi', tools: [{ type: 'code_interpreter' }] }, 'tools'],
  ])('rejects %s with 400 in the error shape', async (_name, payload, path) => {
    const response = await send(payload);
    expect(response.statusCode).toBe(400);
    const body = errorBodySchema.parse(response.json());
    expect(body.code).toBe('validation_failed');
    expect(body.message).toContain(`body.${path}`);
    expect(body.issues?.some((issue) => issue.path.startsWith(`body.${path}`))).toBe(true);
  });

  it('accepts content of exactly the limit', async () => {
    const response = await send({
      content: 'meals '.repeat(maxMessageCharacters / 6).slice(0, maxMessageCharacters),
    });
    expect(response.statusCode).toBe(200);
  });

  it('answers 404 for a thread the engine does not know', async () => {
    const response = await send({ threadId: 'thread_missing', content: 'hi' });
    expect(response.statusCode).toBe(404);
    expect(errorBodySchema.parse(response.json()).code).toBe('not_found');
  });

  it('answers 404 in the error shape for an unknown vector store before any header', async () => {
    const response = await send({ content: 'hi', vectorStoreIds: ['vs_missing'] });
    expect(response.statusCode).toBe(404);
    expect(errorBodySchema.parse(response.json()).code).toBe('not_found');
  });

  it('lists the engine models at /models', async () => {
    const response = await harness.app.inject({ method: 'GET', url: apiPaths.models });
    expect(response.statusCode).toBe(200);
    const body = response.json<{ data: { id: string }[] }>();
    expect(body.data.length).toBeGreaterThan(0);
  });
});
