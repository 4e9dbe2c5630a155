import {
  apiPaths,
  decodeSse,
  runSchema,
  threadListSchema,
  threadMessagesSchema,
  threadSchema,
} from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { defaultAssistantId } from '../../../src/engines/local/threads/local-assistants.js';
import { testConfig } from '../../helpers/test-config.js';
import { waitUntil } from '../../helpers/wait-until.js';

/**
 * A thread made or continued through /v1 is in the web app's history for the same user (and no
 * one else's), with its messages and its runs' answers, and leaves it when /v1 deletes it; a
 * thread started in the web app can be continued through /v1 by its owner only.
 */
describe('/v1 threads in the web app’s history', () => {
  const config = testConfig({ AUTH_TOKENS: 'sk-alice-history=alice,sk-bob-history=bob' });
  let app: FastifyInstance;
  const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
  const alice = as('sk-alice-history');
  const bob = as('sk-bob-history');

  beforeAll(async () => {
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    config.cleanup();
  });

  const history = async (headers: Record<string, string>) =>
    threadListSchema.parse((await app.inject({ method: 'GET', url: apiPaths.threads, headers })).json());
  const transcript = async (threadId: string) => {
    const response = await app.inject({
      method: 'GET',
      url: apiPaths.threadMessages(threadId),
      headers: alice,
    });
    return response.statusCode === 200 ? threadMessagesSchema.parse(response.json()) : null;
  };

  it('shows a /v1 thread, its messages and its run’s answer to its owner, and forgets it when /v1 deletes it', async () => {
    const thread = threadSchema.parse(
      (
        await app.inject({
          method: 'POST',
          url: '/v1/threads',
          headers: alice,
          payload: { messages: [{ role: 'user', content: 'Where do visitors park?' }] },
        })
      ).json(),
    );
    const run = runSchema.parse(
      (
        await app.inject({
          method: 'POST',
          url: `/v1/threads/${thread.id}/runs`,
          headers: alice,
          payload: { assistant_id: defaultAssistantId },
        })
      ).json(),
    );
    await waitUntil(
      async () => (await transcript(thread.id))?.data.some((message) => message.runId === run.id) === true,
      5000,
      'the run’s answer in the history',
    );
    const recorded = await transcript(thread.id);
    expect(recorded?.thread.title).toBe('Where do visitors park?');
    expect(recorded?.data.map((message) => [message.role, message.runStatus])).toEqual([
      ['user', null],
      ['assistant', 'completed'],
    ]);
    expect((await history(alice)).data.map((summary) => summary.id)).toContain(thread.id);
    expect((await history(bob)).data.map((summary) => summary.id)).not.toContain(thread.id);

    const added = await app.inject({
      method: 'POST',
      url: `/v1/threads/${thread.id}/messages`,
      headers: alice,
      payload: { role: 'user', content: 'And on weekends?' },
    });
    expect(added.statusCode).toBe(200);
    await waitUntil(async () => (await transcript(thread.id))?.data.length === 3, 5000, 'the added message');

    const deleted = await app.inject({ method: 'DELETE', url: `/v1/threads/${thread.id}`, headers: alice });
    expect(deleted.statusCode).toBe(200);
    expect(await transcript(thread.id)).toBeNull();
    expect((await history(alice)).data.map((summary) => summary.id)).not.toContain(thread.id);
  });

  it('lets the owner of a web app thread continue it through /v1, and no one else', async () => {
    const chat = await app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { content: 'Hello there' },
    });
    expect(chat.statusCode).toBe(200);
    const created = decodeSse(chat.body).find((event) => event.event === 'thread.created');
    const threadId = created?.event === 'thread.created' ? created.data.id : '';
    expect(threadId).toMatch(/^thread_/);
    const own = await app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages`, headers: alice });
    expect(own.statusCode).toBe(200);
    const other = await app.inject({ method: 'GET', url: `/v1/threads/${threadId}/messages`, headers: bob });
    expect(other.statusCode).toBe(404);
  });

  it('shows a conversation in its owner’s history; responses and conversations are 404 to anyone else', async () => {
    const conversation = (
      await app.inject({
        method: 'POST',
        url: '/v1/conversations',
        headers: alice,
        payload: { items: [{ role: 'user', content: 'Which floor are the lockers on?' }] },
      })
    ).json<{ id: string }>();
    await waitUntil(
      async () => (await history(alice)).data.some((summary) => summary.id === conversation.id),
      5000,
      'the conversation in the history',
    );
    const summary = (await history(alice)).data.find((thread) => thread.id === conversation.id);
    expect(summary?.title).toBe('Which floor are the lockers on?');
    expect((await history(bob)).data.map((thread) => thread.id)).not.toContain(conversation.id);

    const response = (
      await app.inject({
        method: 'POST',
        url: '/v1/responses',
        headers: alice,
        payload: { model: 'threadline-extractive', input: 'Hello', conversation: conversation.id },
      })
    ).json<{ id: string; status: string }>();
    expect(response.status).toBe('completed');
    for (const [method, url, payload] of [
      ['GET', `/v1/conversations/${conversation.id}`, undefined],
      ['GET', `/v1/conversations/${conversation.id}/items`, undefined],
      ['POST', `/v1/conversations/${conversation.id}/items`, { items: [{ role: 'user', content: 'x' }] }],
      ['DELETE', `/v1/conversations/${conversation.id}`, undefined],
      ['GET', `/v1/responses/${response.id}`, undefined],
      ['GET', `/v1/responses/${response.id}/input_items`, undefined],
      ['POST', `/v1/responses/${response.id}/cancel`, undefined],
      ['DELETE', `/v1/responses/${response.id}`, undefined],
      ['POST', '/v1/responses', { input: 'x', previous_response_id: response.id }],
      ['POST', '/v1/responses', { input: 'x', conversation: conversation.id }],
    ] as const) {
      const answer = await app.inject({ method, url, headers: bob, ...(payload ? { payload } : {}) });
      expect({ method, url, status: answer.statusCode }).toEqual({ method, url, status: 404 });
    }
    const own = await app.inject({ method: 'GET', url: `/v1/responses/${response.id}`, headers: alice });
    expect(own.statusCode).toBe(200);
  });

  it('keeps a response made with store: false out of reach and out of the history', async () => {
    const before = (await history(alice)).data.length;
    const response = (
      await app.inject({
        method: 'POST',
        url: '/v1/responses',
        headers: alice,
        payload: { model: 'threadline-extractive', input: 'Not to be kept', store: false },
      })
    ).json<{ id: string; status: string; store: boolean }>();
    expect(response).toMatchObject({ status: 'completed', store: false });
    const retrieved = await app.inject({
      method: 'GET',
      url: `/v1/responses/${response.id}`,
      headers: alice,
    });
    expect(retrieved.statusCode).toBe(404);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await history(alice)).data.length).toBe(before);
  });
});
