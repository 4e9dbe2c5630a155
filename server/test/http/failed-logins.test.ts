import { errorBodySchema } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { useTestApp } from '../helpers/test-app.js';

describe('failed logins', () => {
  const { app } = useTestApp({ AUTH_TOKENS: 'token-alice-1=alice', RATE_LIMIT_MAX: '100000' });

  const threads = (token: string, remoteAddress: string) =>
    app.inject({ url: '/threads', remoteAddress, headers: { authorization: `Bearer ${token}` } });

  it('are throttled per IP after a bound, without touching valid clients elsewhere', async () => {
    // A valid client's requests never count, however many.
    for (let index = 0; index < 50; index += 1)
      expect((await threads('token-alice-1', '10.0.0.7')).statusCode).toBe(200);

    const statuses: number[] = [];
    for (let index = 0; index < 300; index += 1)
      statuses.push((await threads(`guess-${index}`, '10.0.0.66')).statusCode);
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses.slice(30).every((status) => status === 429)).toBe(true);

    const limited = await threads('guess-again', '10.0.0.66');
    expect(errorBodySchema.parse(limited.json())).toMatchObject({ statusCode: 429, code: 'rate_limited' });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    // Guessing from a throttled IP learns nothing: even the right token is refused there.
    expect((await threads('token-alice-1', '10.0.0.66')).statusCode).toBe(429);
    // Other addresses are unaffected.
    expect((await threads('token-alice-1', '10.0.0.7')).statusCode).toBe(200);
    expect((await threads('wrong-token', '10.0.0.8')).statusCode).toBe(401);
  });
});
