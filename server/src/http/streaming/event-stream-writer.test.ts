import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeNdjson, SseDecoder, type AssistantStreamEvent } from '@threadline/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { EventStreamWriter, framingFor, type StreamFraming } from './event-stream-writer.js';

const errorEvent = (message: string): AssistantStreamEvent => ({
  event: 'error',
  data: { code: 'x', message },
});

let server: Server | undefined;
afterEach(async () => {
  await new Promise((resolve) => server?.close(resolve) ?? resolve(undefined));
  server = undefined;
});

/** Serves one response driven by `drive`, returns the base URL. */
async function serve(drive: (response: ServerResponse) => Promise<void>): Promise<string> {
  server = createServer((_request, response) => void drive(response));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

describe('framingFor', () => {
  it.each<[string | undefined, StreamFraming]>([
    [undefined, 'sse'],
    ['text/event-stream', 'sse'],
    ['*/*', 'sse'],
    ['application/x-ndjson', 'ndjson'],
    ['Application/X-NDJSON, */*', 'ndjson'],
  ])('%s → %s', (accept, framing) => expect(framingFor(accept)).toBe(framing));
});

describe('EventStreamWriter', () => {
  it('calls afterFirstWrite once, after the head and the first frames were handed to the socket', async () => {
    const seen: { headersSent: boolean; written: number }[] = [];
    const url = await serve(async (response) => {
      const writer = new EventStreamWriter(response, 'sse', 60_000);
      let written = 0;
      const write = response.write.bind(response);
      response.write = ((chunk: string) => {
        written += 1;
        return write(chunk);
      }) as typeof response.write;
      writer.open({}, () => seen.push({ headersSent: response.headersSent, written }));
      void writer.send(errorEvent('first'));
      void writer.send(errorEvent('same tick'));
      expect(seen).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 10));
      void writer.send(errorEvent('later'));
      await new Promise((resolve) => setTimeout(resolve, 10));
      writer.end();
    });
    expect(await (await fetch(url)).text()).toContain('later');
    expect(seen).toEqual([{ headersSent: true, written: 1 }]);
  });

  it('writes SSE with stream headers, heartbeats while idle and done at the end', async () => {
    const url = await serve(async (response) => {
      const writer = new EventStreamWriter(response, 'sse', 100);
      writer.open({ 'x-thread-id': 'thread_1' });
      await writer.send(errorEvent('first'));
      await new Promise((resolve) => setTimeout(resolve, 260));
      await writer.send(errorEvent('second'));
      writer.end();
    });
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(response.headers.get('x-thread-id')).toBe('thread_1');
    expect(response.headers.get('content-encoding')).toBeNull();
    const text = await response.text();
    expect(text).toMatch(/^event: error\n/);
    expect(text).toContain(': heartbeat\n\n');
    const decoder = new SseDecoder();
    const events = [...decoder.push(text), ...decoder.end()];
    expect(events.map((event) => event.event)).toEqual(['error', 'error', 'done']);
  });

  it('writes NDJSON lines only: no heartbeats, no done', async () => {
    const url = await serve(async (response) => {
      const writer = new EventStreamWriter(response, 'ndjson', 100);
      writer.open();
      await new Promise((resolve) => setTimeout(resolve, 250));
      await writer.send(errorEvent('only'));
      writer.end();
    });
    const response = await fetch(url);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const text = await response.text();
    expect(text.split('\n').filter(Boolean)).toHaveLength(1);
    expect(decodeNdjson(text).map((event) => event.event)).toEqual(['error']);
  });

  it('waits for drain when the client reads slowly, and stops when it leaves', async () => {
    let pendingWrites = 0;
    let sent = 0;
    let resolveDone = () => {};
    const done = new Promise<void>((resolve) => (resolveDone = resolve));
    const big = 'x'.repeat(64 * 1024);
    const url = await serve(async (response) => {
      const writer = new EventStreamWriter(response, 'ndjson', 60_000);
      writer.open();
      while (!writer.isClosed && sent < 2000) {
        const pending = writer.send(errorEvent(big));
        sent += 1;
        if (pending) {
          pendingWrites += 1;
          await pending;
        }
      }
      writer.end();
      resolveDone();
    });
    const controller = new AbortController();
    const response = await fetch(url, { signal: controller.signal });
    const reader = response.body?.getReader();
    await reader?.read();
    await new Promise((resolve) => setTimeout(resolve, 100));
    controller.abort();
    await done;
    expect(pendingWrites).toBeGreaterThan(0);
    expect(sent).toBeLessThan(2000);
  });
});
