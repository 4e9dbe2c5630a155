import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify from 'fastify';
import { satisfies } from 'semver';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readJson = <T>(path: string) => JSON.parse(readFileSync(join(root, path), 'utf8')) as T;
const scratch = mkdtempSync(join(tmpdir(), 'threadline-dependency-versions-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/**
 * The Node range package.json and the README name is the one every installed package supports, so
 * `npm ci` prints no EBADENGINE on any of them. content-disposition 3 and cookie 2 asked for
 * Node 22; root `overrides` hold @fastify/static and light-my-request to content-disposition 2 and
 * cookie 1 (Node 18+), whose functions they call are checked below as Threadline's server uses them.
 */
/**
 * Test-only clients that declare a newer Node than they need: openai-node 7 (the latest, which the
 * /v1 and Responses conformance suites must drive) says Node 22, and those suites run it on 20.
 * npm prints one EBADENGINE notice for it on install; nothing the server runs is among these.
 */
const testOnlyExceptions = ['node_modules/openai-v7'];

describe('dependency versions', () => {
  it('every locked package supports the first release of every Node line package.json names', () => {
    const { engines } = readJson<{ engines: { node: string } }>('package.json');
    expect(engines.node).toBe('^20.19.0 || ^22.13.0 || >=24');
    const lock = readJson<{ packages: Record<string, { version?: string; engines?: { node?: string } }> }>(
      'package-lock.json',
    );
    const unsupported = Object.entries(lock.packages)
      .filter(([path]) => !testOnlyExceptions.includes(path))
      .flatMap(([path, entry]) =>
        ['20.19.0', '22.13.0', '24.0.0']
          .filter((version) => entry.engines?.node !== undefined && !satisfies(version, entry.engines.node))
          .map((version) => `${path}@${entry.version ?? '?'} (${entry.engines?.node}) on ${version}`),
      );
    expect(unsupported).toEqual([]);
    for (const path of testOnlyExceptions) {
      expect(lock.packages[path], `${path} is a dev dependency only`).toMatchObject({ dev: true });
    }
  });

  it("serves a download with @fastify/static's content-disposition (the overridden version)", async () => {
    const name = 'naïve résumé.md';
    writeFileSync(join(scratch, name), '# hello\n');
    const app = Fastify();
    await app.register(fastifyStatic, { root: scratch, serve: false });
    app.get('/download', (_request, reply) => reply.download(name));
    try {
      const response = await app.inject({ url: '/download' });
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('# hello\n');
      expect(response.headers['content-disposition']).toBe(
        `attachment; filename="na?ve r?sum?.md"; filename*=UTF-8''na%C3%AFve%20r%C3%A9sum%C3%A9.md`,
      );
    } finally {
      await app.close();
    }
  });

  it("sends inject's cookies through light-my-request's cookie (the overridden version)", async () => {
    const app = Fastify();
    app.get('/cookies', (request) => ({ cookie: request.headers.cookie }));
    try {
      const response = await app.inject({ url: '/cookies', cookies: { session: 'a b;c', plain: 'x' } });
      expect(response.json()).toEqual({ cookie: 'session=a%20b%3Bc; plain=x' });
    } finally {
      await app.close();
    }
  });
});
