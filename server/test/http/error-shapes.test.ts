import { errorBodySchema, v1ErrorSchema } from '@threadline/shared';
import type { InjectOptions } from 'fastify';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';

const long = 'x'.repeat(150);

/** Errors raised before any route runs (router, parsers) leave in the one error shape too. */
describe('every error in the one shape', () => {
  const { app } = useTestApp();

  it.each<[string, InjectOptions, number, string]>([
    ['a malformed percent-encoding', { url: '/threads/%E0%A4%A' }, 400, 'bad_request'],
    ['a lone percent sign', { url: '/%' }, 400, 'bad_request'],
    ['a path parameter over 100 characters', { url: `/threads/${long}` }, 414, 'uri_too_long'],
    ['a long store id', { url: `/knowledge/vector-stores/${long}/files` }, 414, 'uri_too_long'],
    [
      'a body that is not JSON',
      {
        method: 'POST',
        url: '/chat/stream',
        payload: '{bad',
        headers: { 'content-type': 'application/json' },
      },
      400,
      'bad_request',
    ],
    [
      'an unknown content type',
      { method: 'POST', url: '/chat/stream', payload: 'x', headers: { 'content-type': 'text/weird' } },
      415,
      'unsupported_media_type',
    ],
  ])('%s', async (_name, request, statusCode, code) => {
    const response = await app.inject(request);
    expect(response.statusCode).toBe(statusCode);
    expect(errorBodySchema.strict().parse(response.json())).toMatchObject({ statusCode, code });
    expect(response.body).not.toContain('FST_');
  });

  it.each<[string, InjectOptions, number]>([
    ['a malformed percent-encoding', { url: '/v1/threads/%E0%A4%A' }, 400],
    ['a lone percent sign', { url: '/v1/%' }, 400],
    ['a path parameter over 100 characters', { url: `/v1/vector_stores/${long}/files` }, 404],
    ['an id of 120 characters', { url: `/v1/assistants/${'a'.repeat(120)}` }, 404],
    ['a long id to delete', { method: 'DELETE', url: `/v1/threads/${long}` }, 404],
  ])('on /v1, in OpenAI’s shape: %s', async (name, request, statusCode) => {
    const response = await app.inject(request);
    expect(response.statusCode).toBe(statusCode);
    const { error } = v1ErrorSchema.parse(response.json());
    expect(error.type).toBe('invalid_request_error');
    // OpenAI answers an over-long id as it answers any unknown one: 404, never 414.
    if (statusCode === 404) expect(error.message, name).toMatch(/^No such object: the id in the path/);
    expect(response.body).not.toContain('FST_');
  });
});
