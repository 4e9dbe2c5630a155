import { FramingError, type AssistantStreamEvent } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { answerEvents, chunkedBody, citation, delta, done, toNdjson, toSse } from '../test/events.js';
import { readEventStream } from './stream-client.js';

const collect = async (body: ReadableStream<Uint8Array>, framing: 'sse' | 'ndjson') => {
  const events: AssistantStreamEvent[] = [];
  for await (const event of readEventStream(body, framing)) events.push(event);
  return events;
};

const events = [...answerEvents(['Hello ', 'wörld【4:0†guide.md】']), done];
events.splice(4, 0, delta('', [citation('【4:0†guide.md】', 11, 'file_1', 'the passage')]));

describe('readEventStream', () => {
  it.each([
    ['sse', toSse(events)],
    ['ndjson', toNdjson(events)],
  ] as const)('decodes %s split at every chunk size into the same typed events', async (framing, text) => {
    for (const size of [1, 3, 7, 64, text.length]) {
      expect(await collect(chunkedBody(text, size), framing)).toEqual(events);
    }
  });

  it('ignores SSE comments (heartbeats) and CRLF line endings', async () => {
    const text = `: heartbeat\r\n\r\n${toSse(events).replace(/\n/g, '\r\n')}`;
    expect(await collect(chunkedBody(text, 5), 'sse')).toEqual(events);
  });

  it('decodes a last frame that lacks its blank line', async () => {
    const text = toSse(events.slice(0, 3)).replace(/\n\n$/, '\n');
    expect(await collect(chunkedBody(text, 4), 'sse')).toEqual(events.slice(0, 3));
  });

  it('stops at done even if the body goes on', async () => {
    const text = toNdjson([...events, ...events]);
    expect(await collect(chunkedBody(text, 16), 'ndjson')).toEqual(events);
  });

  it.each([
    ['sse', 'event: thread.run.created\ndata: {not json}\n\n'],
    ['ndjson', '{"event":"thread.run.created","data":{"id":1}}\n'],
    ['ndjson', 'garbage\n'],
  ] as const)('rejects a malformed %s frame with a FramingError', async (framing, text) => {
    await expect(collect(chunkedBody(text, 8), framing)).rejects.toBeInstanceOf(FramingError);
  });
});
