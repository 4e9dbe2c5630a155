import { request } from 'node:http';
import { decodeSse, errorBodySchema, type AssistantStreamEvent } from '@threadline/shared';
import Fastify, { type FastifyInstance } from 'fastify';
import { APIError } from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { installErrorHandling } from '../http/index.js';
import { deliverRun } from './deliver-run.js';
import { StreamDrain } from './stream-drain.js';
import type { StreamOutcome } from './transcript-accumulator.js';

const errorEvent: AssistantStreamEvent = { event: 'error', data: { code: null, message: 'from engine' } };
const rateLimited = () =>
  APIError.generate(
    429,
    { error: { message: 'slow down' } },
    'slow down',
    new Headers({ 'retry-after': '7' }),
  );

/** A source of events that fails where the test says, as an upstream adapter can. */
async function* source(events: AssistantStreamEvent[], failure?: Error): AsyncIterable<AssistantStreamEvent> {
  await Promise.resolve();
  yield* events;
  if (failure) throw failure;
}

let app: FastifyInstance | undefined;
afterEach(async () => app?.close());

async function appRelaying(
  events: AssistantStreamEvent[],
  failure: Error | undefined,
  outcomes: StreamOutcome[],
) {
  app = Fastify();
  installErrorHandling(app);
  app.get('/', async (_request, reply) => {
    await deliverRun({
      reply,
      follow: { framing: 'sse', heartbeatMs: 60_000, isAnnounced: true },
      controller: new AbortController(),
      log: { privateMaxEvents: 1000 },
      drain: new StreamDrain(),
      threadId: 'thread_1',
      start: () => source(events, failure),
      onFinish: (_message, outcome) => outcomes.push(outcome),
    });
    return reply;
  });
  return app;
}

describe('deliverRun with a private log', () => {
  it('maps a failure before the first event to the error shape, keeping Retry-After on 429', async () => {
    const outcomes: StreamOutcome[] = [];
    const server = await appRelaying([], rateLimited(), outcomes);
    const response = await server.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(429);
    expect(response.headers['retry-after']).toBe('7');
    expect(errorBodySchema.parse(response.json()).code).toBe('upstream_rate_limited');
    expect(response.headers['content-type']).toMatch(/application\/json/);
    expect(outcomes).toEqual(['failed']);
  });

  it('turns a failure after headers into one final error event, without done, and closes', async () => {
    const outcomes: StreamOutcome[] = [];
    const server = await appRelaying([errorEvent], new Error('secret upstream detail'), outcomes);
    const response = await server.inject({ method: 'GET', url: '/' });
    expect(response.statusCode).toBe(200);
    const events = decodeSse(response.body);
    expect(events.map((event) => event.event)).toEqual(['error', 'error']);
    const last = events.at(-1);
    expect(last?.event === 'error' ? last.data : undefined).toMatchObject({ code: 'internal_error' });
    expect(response.body).not.toContain('secret upstream detail');
    expect(outcomes).toEqual(['failed']);
  });

  it('stops waiting for a client that does not read once the run is aborted, so the thread frees up', async () => {
    const controller = new AbortController();
    const big: AssistantStreamEvent = {
      event: 'error',
      data: { code: null, message: 'x'.repeat(64 * 1024) },
    };
    async function* endless(signal: AbortSignal): AsyncIterable<AssistantStreamEvent> {
      while (!signal.aborted) {
        yield big;
        await new Promise((resolve) => setImmediate(resolve));
      }
      yield errorEvent;
    }
    let relayed: Promise<void> | undefined;
    app = Fastify();
    app.get('/', async (_request, reply) => {
      relayed = deliverRun({
        reply,
        follow: { framing: 'sse', heartbeatMs: 60_000, isAnnounced: true },
        controller,
        log: { privateMaxEvents: 1000 },
        drain: new StreamDrain(),
        threadId: 'thread_1',
        start: endless,
      });
      await relayed;
      return reply;
    });
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const client = request(`${address}/`, (response) => response.pause());
    client.end();
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    const settled = await Promise.race([
      relayed?.then(() => 'released'),
      new Promise((resolve) => setTimeout(() => resolve('stuck'), 3000)),
    ]);
    expect(settled).toBe('released');
    client.destroy();
  });

  it('ends a clean stream with done', async () => {
    const outcomes: StreamOutcome[] = [];
    const server = await appRelaying([errorEvent], undefined, outcomes);
    const response = await server.inject({ method: 'GET', url: '/' });
    expect(decodeSse(response.body).map((event) => event.event)).toEqual(['error', 'done']);
    expect(outcomes).toEqual(['ended']);
  });
});
