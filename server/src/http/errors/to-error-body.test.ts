import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from './app-error.js';
import { toErrorBody } from './to-error-body.js';

const upstream = (status: number, headers: Record<string, string> = {}) =>
  APIError.generate(
    status,
    { error: { message: 'secret upstream detail' } },
    'upstream',
    new Headers(headers),
  );

describe('toErrorBody', () => {
  it.each([
    ['an AppError', new AppError('thread_busy', 409, 'busy'), 409, 'thread_busy', false],
    ['a ZodError', z.object({ a: z.string() }).safeParse({}).error, 400, 'validation_failed', false],
    ['an upstream 429', upstream(429, { 'retry-after': '7' }), 429, 'upstream_rate_limited', false],
    ['an upstream 401', upstream(401), 502, 'upstream_error', true],
    ['an upstream 500', upstream(500), 503, 'upstream_unavailable', true],
    [
      'a framework 413',
      Object.assign(new Error('too big'), { statusCode: 413 }),
      413,
      'payload_too_large',
      false,
    ],
    ['anything else', new Error('database password is hunter2'), 500, 'internal_error', true],
  ])('maps %s', (_label, error, status, code, isServerFault) => {
    const mapped = toErrorBody(error);
    expect(mapped.body.statusCode).toBe(status);
    expect(mapped.body.code).toBe(code);
    expect(mapped.isServerFault).toBe(isServerFault);
    expect(mapped.body.message).not.toMatch(/secret upstream detail|hunter2/);
  });

  it('keeps Retry-After from an upstream 429', () => {
    expect(toErrorBody(upstream(429, { 'retry-after': '7' })).headers).toEqual({ 'retry-after': '7' });
  });

  it('lists every validation issue with its path', () => {
    const error = z.object({ a: z.string(), b: z.object({ c: z.number() }) }).safeParse({ b: {} }).error;
    expect(toErrorBody(error).body.issues).toEqual([
      { path: 'a', message: expect.any(String) as string },
      { path: 'b.c', message: expect.any(String) as string },
    ]);
  });
});
