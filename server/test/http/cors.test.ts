import { apiPaths, errorBodySchema } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../helpers/test-config.js';

/** A browser app on another origin (a front end being migrated) calling the chat API. */
describe('cross-origin requests', () => {
  let app: FastifyInstance | undefined;
  let cleanup = () => {};
  afterEach(async () => {
    await app?.close();
    cleanup();
  });
  const start = async (origins: string) => {
    const config = testConfig({ CORS_ORIGINS: origins });
    cleanup = config.cleanup;
    app = await buildApp(config);
    return app;
  };
  const preflight = (app: FastifyInstance, origin: string) =>
    app.inject({
      method: 'OPTIONS',
      url: apiPaths.chatStream,
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });

  it('lets a configured origin stream and read the thread id and Retry-After', async () => {
    const app = await start('http://app.test, http://other.test');
    const answer = await preflight(app, 'http://app.test');
    expect(answer.statusCode).toBe(204);
    expect(answer.headers['access-control-allow-origin']).toBe('http://app.test');
    expect(answer.headers['access-control-allow-credentials']).toBe('true');
    expect(String(answer.headers['access-control-allow-methods'])).toContain('POST');
    expect(answer.headers['access-control-allow-headers']).toBe('content-type, authorization');

    const response = await app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: { origin: 'http://other.test' },
      payload: { content: 'How do I start Threadline?' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBe('http://other.test');
    expect(String(response.headers['access-control-expose-headers']).split(/,\s*/)).toEqual(
      expect.arrayContaining(['retry-after', 'x-thread-id']),
    );
    expect(response.body).toContain('event: done');
  });

  it('gives any other origin no CORS headers, so the browser blocks it', async () => {
    const app = await start('http://app.test');
    const answer = await preflight(app, 'http://evil.test');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const response = await app.inject({
      method: 'GET',
      url: apiPaths.health,
      headers: { origin: 'http://evil.test' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows no cross-origin use by default: no CORS headers, preflights are 404 in the error shape', async () => {
    const app = await start('');
    const answer = await preflight(app, 'http://app.test');
    expect(answer.statusCode).toBe(404);
    expect(errorBodySchema.parse(answer.json())).toMatchObject({ code: 'not_found' });
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
    const response = await app.inject({
      method: 'GET',
      url: apiPaths.health,
      headers: { origin: 'http://app.test' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
  });
});
