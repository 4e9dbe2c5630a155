import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiPaths } from '@threadline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { logFlushMs } from '../../src/http/logging/logger.js';
import { freePort } from '../../../scripts/mongo-test-server/start.mjs';
import { startServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait-until.js';

const dataDir = mkdtempSync(join(tmpdir(), 'threadline-log-output-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

type LogLine = {
  msg?: string;
  req?: { url?: string };
  signal?: string;
  summary?: Record<string, string>;
};

/**
 * The server as users run it, with its own standard output: JSON lines at `info`, written in
 * batches (see logDestination), yet none held back for long and none lost at shutdown.
 */
describe('the log on standard output', () => {
  it('arrives in batches, within the flush interval, and is written out at shutdown', async () => {
    const { child, baseUrl, output, stdoutChunks } = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      // No LOG_FORMAT: standard output is a pipe here, so the default (auto) must give JSON lines.
      LOG_FORMAT: '',
      MONGODB_URI: '',
      AUTH_TOKENS: '',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = () =>
      output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
    const completed = (url: string) =>
      lines().filter((line) => line.msg === 'request completed' && line.req?.url === url).length;
    try {
      // A lone request's line is not held until a batch fills up: the periodic flush writes it.
      await fetch(`${baseUrl}${apiPaths.models}`);
      const askedAt = Date.now();
      await waitUntil(() => completed(apiPaths.models) === 1, 5_000, 'the line of a lone request');
      expect(Date.now() - askedAt).toBeLessThan(logFlushMs + 1_000);

      // The JSON format collectors parse: every line is JSON, a request's line has these fields.
      expect(
        output()
          .split('\n')
          .filter((line) => line.trim() !== '' && !line.startsWith('{')),
      ).toEqual([]);
      const requestLine = lines().find(
        (line) => line.msg === 'request completed' && line.req?.url === apiPaths.models,
      ) as Record<string, unknown>;
      expect(Object.keys(requestLine).sort()).toEqual(
        ['hostname', 'level', 'msg', 'pid', 'reqId', 'req', 'res', 'responseTime', 'time'].sort(),
      );
      expect(requestLine).toMatchObject({
        level: 30,
        req: { method: 'GET', url: apiPaths.models, host: expect.any(String) as string },
        res: { statusCode: 200 },
        responseTime: expect.any(Number) as number,
      });
      expect(Object.keys(requestLine.req as object).sort()).toEqual(
        ['host', 'method', 'remoteAddress', 'remotePort', 'url'].sort(),
      );
      expect(Object.keys(requestLine.res as object)).toEqual(['statusCode']);
      // The start-up summary is one record with its lines as fields.
      const startup = lines().find((line) => line.summary);
      expect(startup?.msg).toMatch(/^Threadline is running at http:\/\/localhost:\d+\/$/);
      expect(Object.keys(startup?.summary ?? {})).toEqual([
        'docs',
        'engine',
        'answers',
        'embeddings',
        'data',
        'auth',
      ]);

      // Many lines in a burst leave together, not one write each.
      const chunksBefore = stdoutChunks();
      await Promise.all(Array.from({ length: 40 }, () => fetch(`${baseUrl}${apiPaths.models}`)));
      await waitUntil(() => completed(apiPaths.models) === 41, 5_000, 'the lines of a burst');
      expect(stdoutChunks() - chunksBefore).toBeLessThan(10);

      // Lines logged on the way out are written before the process ends.
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines().some((line) => line.msg?.startsWith('shutting down') && line.signal === 'SIGTERM')).toBe(
        true,
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});

/**
 * The server on a real terminal: util-linux `script` gives it a pseudo-terminal as standard output
 * (so `process.stdout.isTTY` is the real check, nothing injected), and what it prints is what a
 * person would see. `script` is in bsdutils, which every Debian system has.
 */
describe('the log on a terminal', () => {
  it('is one line per request, streams included, with a readable start-up summary', async () => {
    const script = spawnSync('script', ['--version'], { encoding: 'utf8' });
    if (script.error) throw new Error('util-linux `script` is needed to give the server a terminal');
    const port = await freePort();
    const pidFile = join(dataDir, 'terminal-server.pid');
    // `exec` keeps the shell's pid for the server, so the test can stop the server itself.
    const command = `echo $$ > '${pidFile}'; exec '${process.execPath}' --import tsx server/src/server.ts`;
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: join(dataDir, 'terminal'),
        EMBEDDINGS: 'hash',
        LOG_LEVEL: 'info',
        LOG_FORMAT: '',
        NO_COLOR: '1',
        DEFAULT_KNOWLEDGE_BASE: 'none',
        MONGODB_URI: '',
        AUTH_TOKENS: '',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    const baseUrl = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(() => output.includes('Threadline is running at'), 60_000, 'the server to start');
      // 100 requests: plain ones, rejected ones (their reason joins their line) and streams.
      for (let index = 0; index < 70; index += 1) await fetch(`${baseUrl}${apiPaths.health}`);
      for (let index = 0; index < 20; index += 1) await fetch(`${baseUrl}/threads/thread_missing_${index}`);
      for (let index = 0; index < 10; index += 1) {
        const response = await fetch(`${baseUrl}${apiPaths.chatStream}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ content: `How do I start Threadline? (${index})` }),
        });
        await response.text();
      }
      const requestLine = /^\d\d:\d\d:\d\d (GET|POST) \S+ \d{3} [\d.]+ m?s/;
      const screen = () => output.split(/\r?\n/).filter((line) => line.trim() !== '');
      await waitUntil(
        () => screen().filter((line) => requestLine.test(line)).length >= 100,
        10_000,
        'the lines',
      );
      process.kill(Number(readFileSync(pidFile, 'utf8')), 'SIGTERM');
      expect(await exited).toBe(0);

      const lines = screen();
      expect(lines.filter((line) => requestLine.test(line))).toHaveLength(100);
      expect(lines.length, lines.join('\n')).toBeLessThanOrEqual(110);
      expect(lines.find((line) => line.includes('/threads/thread_missing_0 404'))).toMatch(
        /404 [\d.]+ m?s {2}not_found: /,
      );
      expect(lines.filter((line) => line.includes(`POST ${apiPaths.chatStream} 200`))).toHaveLength(10);
      expect(lines.some((line) => line.startsWith('{'))).toBe(false);
      // The start-up summary: one line each, labelled.
      for (const label of ['docs', 'engine', 'answers', 'embeddings', 'data', 'auth'])
        expect(
          lines.some((line) => new RegExp(`^  ${label} +\\S`).test(line)),
          label,
        ).toBe(true);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 120_000);
});
