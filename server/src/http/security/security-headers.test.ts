import { describe, expect, it } from 'vitest';
import { securityHeadersFor } from './security-headers.js';

describe('securityHeadersFor', () => {
  it("records helmet's headers for the options, with the CSP directives as given", () => {
    const headers = securityHeadersFor({
      contentSecurityPolicy: {
        directives: { defaultSrc: ["'self'"], connectSrc: ["'self'", 'https://a.example'] },
      },
      crossOriginEmbedderPolicy: false,
    });
    expect(headers['content-security-policy']).toContain("connect-src 'self' https://a.example");
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['strict-transport-security']).toMatch(/max-age=\d+/);
    expect(headers).not.toHaveProperty('cross-origin-embedder-policy');
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('refuses options helmet refuses, at start-up', () => {
    expect(() =>
      securityHeadersFor({ contentSecurityPolicy: { directives: { defaultSrc: ['self'] } } }),
    ).toThrow();
  });
});
