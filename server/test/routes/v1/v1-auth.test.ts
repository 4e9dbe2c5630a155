import { assistantSchema, threadSchema, v1ErrorSchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTestApp } from '../../helpers/test-app.js';

describe('/v1 behind bearer tokens', () => {
  const { app } = useTestApp({ AUTH_TOKENS: 'sk-threadline-test=alice,sk-threadline-bob=bob' });

  it.each([
    ['no key', undefined],
    ['a wrong key', 'Bearer sk-wrong-key-123'],
  ])('answers %s with OpenAI’s 401 shape', async (_name, authorization) => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: authorization ? { authorization } : {},
    });
    expect(response.statusCode).toBe(401);
    expect(v1ErrorSchema.parse(response.json()).error).toMatchObject({
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    });
  });

  it('accepts a configured key', async () => {
    const response = await app.inject({
      method: 'GET',
      url: '/v1/models',
      headers: { authorization: 'Bearer sk-threadline-test' },
    });
    expect(response.statusCode).toBe(200);
  });

  it('keeps each user’s threads and assistants to themselves', async () => {
    const as = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
    const alice = as('sk-threadline-test');
    const bob = as('sk-threadline-bob');
    const thread = threadSchema.parse(
      (await app.inject({ method: 'POST', url: '/v1/threads', headers: alice, payload: {} })).json(),
    );
    const assistant = assistantSchema.parse(
      (
        await app.inject({ method: 'POST', url: '/v1/assistants', headers: alice, payload: { model: 'm' } })
      ).json(),
    );
    const own = await app.inject({ method: 'GET', url: `/v1/threads/${thread.id}`, headers: alice });
    expect(own.statusCode).toBe(200);
    for (const [method, url, payload] of [
      ['GET', `/v1/threads/${thread.id}`, undefined],
      ['POST', `/v1/threads/${thread.id}/messages`, { role: 'user', content: 'hi' }],
      ['GET', `/v1/threads/${thread.id}/runs`, undefined],
      ['GET', `/v1/assistants/${assistant.id}`, undefined],
    ] as const) {
      const response = await app.inject({ method, url, headers: bob, ...(payload ? { payload } : {}) });
      expect({ url, status: response.statusCode }).toEqual({ url, status: 404 });
    }
    const bobThread = threadSchema.parse(
      (await app.inject({ method: 'POST', url: '/v1/threads', headers: bob, payload: {} })).json(),
    );
    const run = await app.inject({
      method: 'POST',
      url: `/v1/threads/${bobThread.id}/runs`,
      headers: bob,
      payload: { assistant_id: assistant.id },
    });
    expect(run.statusCode).toBe(404);
    const listed = await app.inject({ method: 'GET', url: '/v1/assistants', headers: bob });
    const ids = z
      .object({ data: z.array(z.object({ id: z.string() })) })
      .parse(listed.json())
      .data.map((item) => item.id);
    expect(ids).toContain('asst_threadline');
    expect(ids).not.toContain(assistant.id);
  });
});
