import { describe, expect, it } from 'vitest';
import { formatDuration, formatLogRecord, type LogRecord } from './format-log-record.js';
import { createReadableLogStream } from './readable-log-stream.js';

// 03:04:05 local time, whatever the machine's zone.
const time = new Date(2026, 11, 6, 3, 4, 5).getTime();
const base = { time, pid: 1, hostname: 'h' };
const plain = { isColored: false };

describe('formatLogRecord', () => {
  it.each<[string, LogRecord, string]>([
    [
      'a request: method, path, status, time',
      {
        ...base,
        level: 30,
        reqId: 'req-1',
        req: { method: 'GET', url: '/health' },
        res: { statusCode: 200 },
        responseTime: 1.234,
        msg: 'request completed',
      },
      '03:04:05 GET /health 200 1.2 ms\n',
    ],
    [
      'a long stream in seconds',
      {
        ...base,
        level: 30,
        reqId: 'req-2',
        req: { method: 'POST', url: '/chat/stream' },
        res: { statusCode: 200 },
        responseTime: 4_210.7,
        msg: 'request completed',
      },
      '03:04:05 POST /chat/stream 200 4.2 s\n',
    ],
    [
      'a request that errored, with its error',
      {
        ...base,
        level: 50,
        reqId: 'req-3',
        req: { method: 'GET', url: '/x' },
        res: { statusCode: 500 },
        responseTime: 12.4,
        err: { type: 'TypeError', message: 'boom', stack: 'TypeError: boom\n    at f (a.ts:1:1)' },
        msg: 'request errored',
      },
      '03:04:05 ERROR GET /x 500 12 ms — TypeError: boom\n    at f (a.ts:1:1)\n',
    ],
    [
      'a warning with its details, no stack',
      {
        ...base,
        level: 40,
        msg: 'the sample knowledge base could not be loaded',
        userId: 'local',
        err: { type: 'Error', message: 'disk full', stack: 'Error: disk full\n    at g (b.ts:2:2)' },
      },
      '03:04:05 WARN the sample knowledge base could not be loaded  userId=local — disk full\n',
    ],
    [
      'details with spaces are quoted',
      { ...base, level: 30, msg: 'embedding model loaded', model: 'all-MiniLM', note: 'two words' },
      '03:04:05 embedding model loaded  model=all-MiniLM note="two words"\n',
    ],
    [
      'the start-up summary as a block',
      {
        ...base,
        level: 30,
        msg: 'Threadline is running at http://localhost:8000/',
        summary: { docs: 'http://localhost:8000/docs', engine: 'local' },
      },
      '03:04:05 Threadline is running at http://localhost:8000/\n  docs    http://localhost:8000/docs\n  engine  local\n',
    ],
  ])('%s', (_name, record, expected) => {
    expect(formatLogRecord(record, plain)).toBe(expected);
  });

  it('puts what the request said on its line', () => {
    const line = formatLogRecord(
      {
        ...base,
        level: 30,
        req: { method: 'GET', url: '/threads/t' },
        res: { statusCode: 404 },
        responseTime: 3,
        msg: 'request completed',
      },
      { isColored: false, notes: ['not_found: Thread was not found'] },
    );
    expect(line).toBe('03:04:05 GET /threads/t 404 3.0 ms  not_found: Thread was not found\n');
  });

  it('colours only when asked', () => {
    const record = { ...base, level: 40, msg: 'careful' };
    expect(formatLogRecord(record, { isColored: true })).toContain('\u001b[33mWARN\u001b[0m');
    expect(formatLogRecord(record, plain)).not.toContain('\u001b');
  });

  it.each([
    [0.26, '0.3 ms'],
    [9.94, '9.9 ms'],
    [10, '10 ms'],
    [999.4, '999 ms'],
    [1000, '1.0 s'],
    [61_234, '61.2 s'],
  ])('formats %d ms as %s', (milliseconds, expected) => {
    expect(formatDuration(milliseconds)).toBe(expected);
  });
});

describe('createReadableLogStream', () => {
  const run = (records: LogRecord[]) => {
    let written = '';
    const stream = createReadableLogStream({ write: (text: string) => (written += text) }, plain);
    for (const record of records) stream.write(`${JSON.stringify({ ...base, level: 30, ...record })}\n`);
    return written;
  };
  const completed = (reqId: string, url: string, statusCode: number): LogRecord => ({
    reqId,
    req: { method: 'GET', url },
    res: { statusCode },
    responseTime: 2,
    msg: 'request completed',
  });

  it('writes a stream once, when it is over', () => {
    expect(
      run([
        { reqId: 'a', msg: 'stream started', threadId: 'thread_1' },
        { ...completed('a', '/chat/stream', 200), req: { method: 'POST', url: '/chat/stream' } },
      ]),
    ).toBe('03:04:05 POST /chat/stream 200 2.0 ms\n');
  });

  it("folds a rejection into its request's line, and keeps requests apart", () => {
    expect(
      run([
        { reqId: 'a', msg: 'request rejected', code: 'not_found', message: 'Thread was not found' },
        completed('b', '/health', 200),
        completed('a', '/threads/x', 404),
      ]),
    ).toBe(
      '03:04:05 GET /health 200 2.0 ms\n03:04:05 GET /threads/x 404 2.0 ms  not_found: Thread was not found\n',
    );
  });

  it("drops Fastify's listen line (the summary says it) and passes text that is not JSON", () => {
    expect(run([{ msg: 'Server listening at http://127.0.0.1:8000' }])).toBe('');
    let written = '';
    createReadableLogStream({ write: (text: string) => (written += text) }, plain).write('plain\n');
    expect(written).toBe('plain\n');
  });
});
