import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../http/index.js';
import { toUpstreamError } from './upstream-error.js';

const upstream = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(
    status,
    {
      error: {
        message: 'Incorrect API key provided: sk-proj-abc***xyz. org-secret',
        type: 'invalid_request_error',
      },
    },
    undefined,
    new Headers(headers),
  );

describe('toUpstreamError', () => {
  it.each([
    { name: '401', error: upstream(401), status: 502, code: 'upstream_error' },
    { name: '403', error: upstream(403), status: 502, code: 'upstream_error' },
    { name: '404', error: upstream(404), status: 404, code: 'not_found' },
    { name: '400', error: upstream(400), status: 502, code: 'upstream_error' },
    { name: '429', error: upstream(429), status: 429, code: 'upstream_rate_limited' },
    { name: '500', error: upstream(500), status: 503, code: 'upstream_unavailable' },
    { name: '503', error: upstream(503), status: 503, code: 'upstream_unavailable' },
    {
      name: 'network',
      error: new APIConnectionError({ cause: new Error('ECONNRESET') }),
      status: 503,
      code: 'upstream_unavailable',
    },
  ])('$name → $status $code, never the upstream text', ({ error, status, code }) => {
    const mapped = toUpstreamError(error, 'OPENAI_API_KEY');
    expect(mapped).toBeInstanceOf(AppError);
    expect(mapped).toMatchObject({ statusCode: status, code });
    expect((mapped as AppError).message).not.toMatch(/sk-proj|org-secret/);
  });

  it('names the setting to check on a credentials failure', () => {
    expect((toUpstreamError(upstream(401), 'ASSISTANTS_API_KEY') as AppError).message).toContain(
      'ASSISTANTS_API_KEY',
    );
  });

  it.each([
    { headers: { 'retry-after': '7' }, expected: '7' },
    { headers: { 'retry-after-ms': '1500' }, expected: '2' },
    { headers: {}, expected: undefined },
    { headers: { 'retry-after': 'soon' }, expected: undefined },
  ])('keeps Retry-After from $headers', ({ headers, expected }) => {
    const mapped = toUpstreamError(upstream(429, headers), 'OPENAI_API_KEY') as AppError;
    expect(mapped.headers?.['retry-after']).toBe(expected);
  });

  it('passes through aborts, AppErrors and foreign errors untouched', () => {
    const abort = new APIUserAbortError();
    const appError = new AppError('not_found', 404, 'x');
    const bug = new TypeError('bug');
    expect(toUpstreamError(abort, 'X')).toBe(abort);
    expect(toUpstreamError(appError, 'X')).toBe(appError);
    expect(toUpstreamError(bug, 'X')).toBe(bug);
  });
});
