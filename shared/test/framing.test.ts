import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  assistantStreamEventNames,
  decodeNdjson,
  decodeSse,
  encodeNdjsonEvent,
  encodeNdjsonFrame,
  encodeSseComment,
  encodeSseEvent,
  encodeSseFrame,
  FramingError,
  NdjsonDecoder,
  SseDecoder,
} from '../src/index.js';
import { everyEvent } from './fixtures/sample-objects.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('stream framings', () => {
  it('covers every documented event name', () => {
    expect(new Set(everyEvent.map((event) => event.event))).toEqual(new Set(assistantStreamEventNames));
  });

  it.each(everyEvent.map((event) => [event.event, event] as const))(
    'round-trips %s through SSE',
    (_name, event) => {
      expect(decodeSse(encodeSseEvent(event))).toEqual([event]);
    },
  );

  it.each(everyEvent.map((event) => [event.event, event] as const))(
    'round-trips %s through NDJSON',
    (_name, event) => {
      expect(decodeNdjson(encodeNdjsonEvent(event))).toEqual([event]);
    },
  );

  it('decodes SSE split at every byte boundary, with comments and CRLF', () => {
    const text = everyEvent.map(encodeSseEvent).join(encodeSseComment('heartbeat')).replaceAll('\n', '\r\n');
    for (const size of [1, 7, 64]) {
      const decoder = new SseDecoder();
      const events = [];
      for (let offset = 0; offset < text.length; offset += size)
        events.push(...decoder.push(text.slice(offset, offset + size)));
      events.push(...decoder.end());
      expect(events).toEqual(everyEvent);
    }
  });

  it('decodes NDJSON split across chunks', () => {
    const text = everyEvent.map(encodeNdjsonEvent).join('');
    const decoder = new NdjsonDecoder();
    const events = [];
    for (let offset = 0; offset < text.length; offset += 5)
      events.push(...decoder.push(text.slice(offset, offset + 5)));
    events.push(...decoder.end());
    expect(events).toEqual(everyEvent);
  });

  it('carries each event id on its SSE id line and NDJSON id field, and reads it back', () => {
    const frames = everyEvent.slice(0, 3).map((event, index) => ({
      id: `rs_abc:${index + 1}`,
      event: event.event,
      data: JSON.stringify(event.data),
    }));
    const sse = frames.map(encodeSseFrame).join(encodeSseComment('heartbeat'));
    expect(sse.startsWith(`id: rs_abc:1\nevent: ${frames[0]?.event}\ndata: `)).toBe(true);
    const sseDecoder = new SseDecoder();
    const fromSse = [...sseDecoder.pushWithIds(sse), ...sseDecoder.endWithIds()];
    const ndjsonDecoder = new NdjsonDecoder();
    const ndjson = frames.map(encodeNdjsonFrame).join('');
    const fromNdjson = [...ndjsonDecoder.pushWithIds(ndjson), ...ndjsonDecoder.endWithIds()];
    const expected = everyEvent.slice(0, 3).map((event, index) => ({ event, id: `rs_abc:${index + 1}` }));
    expect(fromSse).toEqual(expected);
    expect(fromNdjson).toEqual(expected);
    // Plain frames decode as before, with no id.
    expect(new SseDecoder().pushWithIds(encodeSseEvent(everyEvent[0]!))).toEqual([
      { event: everyEvent[0], id: null },
    ]);
  });

  it('ends SSE with the OpenAI done frame', () => {
    expect(encodeSseEvent({ event: 'done', data: '[DONE]' })).toBe('event: done\ndata: [DONE]\n\n');
  });

  it('parses a recorded OpenAI Assistants run stream in order', () => {
    const events = decodeSse(fixture('openai-run-stream.sse'));
    expect(events.map((event) => event.event)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
      'thread.message.delta',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
      'done',
    ]);
    const deltas = events.flatMap((event) =>
      event.event === 'thread.message.delta'
        ? event.data.delta.content.map((part) => part.text?.value ?? '')
        : [],
    );
    expect(deltas.join('')).toBe('Hello there!');
  });

  it.each([
    ['data that is not JSON', 'event: thread.run.created\ndata: {nope\n\n', /not JSON/],
    ['an unknown event name', 'event: thread.bogus\ndata: {}\n\n', /does not match/],
    [
      'a run missing its id',
      'event: thread.run.created\ndata: {"object":"thread.run"}\n\n',
      /thread\.run\.created.*id|does not match/,
    ],
    ['a truncated final frame', 'event: thread.run.created\ndata: {"id":', /not JSON/],
  ])('rejects %s with a FramingError', (_label, text, pattern) => {
    expect(() => decodeSse(text)).toThrow(FramingError);
    expect(() => decodeSse(text)).toThrow(pattern);
  });

  it.each([
    ['not JSON', '{"event":\n', /not JSON/],
    ['no data field', '{"event":"done"}\n', /"event","data"/],
    ['a non-string event', '{"event":1,"data":{}}\n', /not a string/],
    ['a wrong payload', '{"event":"thread.message.delta","data":{"id":"m"}}\n', /does not match/],
  ])('rejects NDJSON with %s', (_label, text, pattern) => {
    expect(() => decodeNdjson(text)).toThrow(pattern);
  });

  it('refuses to encode an event name with a line break', () => {
    expect(() => encodeSseEvent({ event: 'done\nevil', data: '[DONE]' } as never)).toThrow(FramingError);
  });
});
