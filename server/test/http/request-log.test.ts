import { apiPaths, threadIdHeader } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { testConfig } from '../helpers/test-config.js';

type LogLine = {
  level: number;
  msg: string;
  reqId?: string;
  req?: { method: string; url: string };
  res?: { statusCode: number };
  responseTime?: number;
  threadId?: string;
};

describe('request log', () => {
  let app: FastifyInstance | undefined;
  let cleanup = () => {};
  afterEach(async () => {
    await app?.close();
    cleanup();
  });

  const start = async (level: string) => {
    const config = testConfig({ LOG_LEVEL: level });
    cleanup = config.cleanup;
    const lines: LogLine[] = [];
    const logStream = { write: (line: string) => void lines.push(JSON.parse(line) as LogLine) };
    app = await buildApp(config, { logStream });
    return { app, lines };
  };

  it('writes one line per request, when it is over, with the request, status and time', async () => {
    const { app, lines } = await start('info');
    const response = await app.inject({
      url: apiPaths.health,
      headers: { authorization: 'Bearer not-for-the-log' },
    });
    expect(response.statusCode).toBe(200);
    expect(lines.map((line) => line.msg)).toEqual(['request completed']);
    const [line] = lines;
    expect(line).toMatchObject({
      level: 30,
      req: { method: 'GET', url: '/health' },
      res: { statusCode: 200 },
    });
    expect(line?.responseTime).toBeGreaterThanOrEqual(0);
    expect(JSON.stringify(lines)).not.toContain('not-for-the-log');
  });

  it('says when a stream has started and when it is over', async () => {
    const { app, lines } = await start('info');
    const response = await app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      payload: { content: 'How do I start Threadline?' },
    });
    expect(response.statusCode).toBe(200);
    const threadId = response.headers[threadIdHeader];
    const forRequest = lines.filter((line) => line.reqId === lines.at(-1)?.reqId);
    expect(forRequest.map((line) => [line.msg, line.threadId ?? line.req?.url])).toEqual([
      ['stream started', threadId],
      ['request completed', apiPaths.chatStream],
    ]);
  });

  it('logs each request as it arrives at debug level', async () => {
    const { app, lines } = await start('debug');
    await app.inject({ url: '/nope' });
    const forRequest = lines.filter((line) => line.req?.url === '/nope');
    expect(forRequest.map((line) => [line.msg, line.level])).toEqual([
      ['incoming request', 20],
      ['request completed', 30],
    ]);
  });
});
