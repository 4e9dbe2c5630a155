import { v1ErrorSchema } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../src/app.js';
import { testConfig } from './helpers/test-config.js';

/** What real OpenAI clients put on the wire, replayed byte for byte through `app.inject`. */
describe('/v1 wire compatibility', () => {
  const config = testConfig();
  let app: FastifyInstance;

  beforeAll(async () => {
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    config.cleanup();
  });

  const json = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) =>
    app.inject({
      method,
      url,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
  const emptyJson = (method: 'POST' | 'DELETE', url: string) =>
    app.inject({ method, url, headers: { 'content-type': 'application/json' }, payload: '' });
  const emptyNoType = (method: 'POST' | 'DELETE', url: string) => app.inject({ method, url });

  describe('an empty body means no parameters', () => {
    it('creates threads from an empty JSON body and from no body at all', async () => {
      for (const send of [emptyJson, emptyNoType]) {
        const response = await send('POST', '/v1/threads');
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({ object: 'thread' });
      }
    });

    it('deletes assistants, threads, messages, files and vector stores sent with an empty JSON body', async () => {
      const assistant = (await json('POST', '/v1/assistants', { model: 'threadline-extractive' })).json<{
        id: string;
      }>();
      const thread = (
        await json('POST', '/v1/threads', { messages: [{ role: 'user', content: 'hello' }] })
      ).json<{ id: string }>();
      const messages = (await json('GET', `/v1/threads/${thread.id}/messages`)).json<{
        data: { id: string }[];
      }>();
      const store = (await json('POST', '/v1/vector_stores', { name: 'empty' })).json<{ id: string }>();
      const urls = [
        `/v1/assistants/${assistant.id}`,
        `/v1/threads/${thread.id}/messages/${messages.data[0]?.id ?? ''}`,
        `/v1/threads/${thread.id}`,
        `/v1/vector_stores/${store.id}`,
      ];
      for (const url of urls) {
        const response = await emptyJson('DELETE', url);
        expect({
          url,
          status: response.statusCode,
          deleted: response.json<{ deleted?: boolean }>().deleted,
        }).toEqual({ url, status: 200, deleted: true });
      }
    });

    it('cancels runs sent with an empty JSON body', async () => {
      const thread = (await emptyJson('POST', '/v1/threads')).json<{ id: string }>();
      // A missing run is the route answering, not the body parser.
      const response = await emptyJson('POST', `/v1/threads/${thread.id}/runs/run_missing/cancel`);
      expect(response.statusCode).toBe(404);
      expect(v1ErrorSchema.parse(response.json()).error.message).toContain('run_missing');
    });

    it('still answers 400 in OpenAI’s shape where a body is required', async () => {
      for (const send of [emptyJson, emptyNoType]) {
        const response = await send('POST', '/v1/assistants');
        expect(response.statusCode).toBe(400);
        expect(v1ErrorSchema.parse(response.json()).error).toMatchObject({
          type: 'invalid_request_error',
          param: 'model',
        });
      }
    });

    it('keeps the legacy routes working with empty JSON bodies', async () => {
      const created = await emptyJson('POST', '/api/assistants/threads');
      expect(created.statusCode).toBe(200);
      expect(created.json()).toHaveProperty('threadId');
      const removed = await emptyJson('DELETE', '/api/assistants/files');
      expect(removed.statusCode).toBe(400);
      expect(removed.json()).toMatchObject({ statusCode: 400, code: 'validation_failed' });
    });

    it('reads the quickstart’s untyped JSON bodies (sent as text/plain) on the legacy routes', async () => {
      const removed = await app.inject({
        method: 'DELETE',
        url: '/api/assistants/files',
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ fileId: 'file_unknown' }),
      });
      expect(removed.statusCode).toBe(404);
      const { threadId } = (await emptyJson('POST', '/api/assistants/threads')).json<{ threadId: string }>();
      const sent = await app.inject({
        method: 'POST',
        url: `/api/assistants/threads/${threadId}/messages`,
        headers: { 'content-type': 'text/plain;charset=UTF-8' },
        payload: JSON.stringify({ content: 'Hello?' }),
      });
      expect(sent.statusCode).toBe(200);
      expect(sent.body).toContain('thread.run.completed');
    });
  });
});
