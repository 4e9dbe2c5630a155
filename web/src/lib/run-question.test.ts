import { chatRequestSchema, encodeSseFrame, legacyMessageRequestSchema } from '@threadline/shared';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { apiConfig } from '../config/api.js';
import { answerEvents, done, toNdjson, toSse } from '../test/events.js';
import { answerText } from './run-outcome.js';
import { cancelThreadRun, followThreadRun, runQuestion } from './run-question.js';

const base = 'http://threadline.test';
const server = setupServer();
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

const stream = (text: string, type: string) => new HttpResponse(text, { headers: { 'content-type': type } });

describe('runQuestion', () => {
  it('reads the test origin from VITE_API_URL', () => {
    expect(apiConfig.threadlineBaseUrl).toBe(base);
  });

  it('streams an SSE answer from Threadline and reports every state', async () => {
    let body: unknown;
    server.use(
      http.post(`${base}/chat/stream`, async ({ request }) => {
        body = await request.json();
        expect(request.headers.get('accept')).toBe('text/event-stream');
        return stream(toSse([...answerEvents(['Hel', 'lo']), done]), 'text/event-stream');
      }),
    );
    const seen: string[] = [];
    const state = await runQuestion({
      backend: 'threadline',
      content: 'Hi',
      vectorStoreIds: ['vs_1'],
      signal: new AbortController().signal,
      onState: (next) => seen.push(next.phase),
    });
    expect(chatRequestSchema.parse(body)).toEqual({ content: 'Hi', vectorStoreIds: ['vs_1'] });
    expect(state.outcome).toBe('completed');
    expect(answerText(state)).toBe('Hello');
    expect(state.threadId).toBe('thread_test');
    expect(seen[0]).toBe('connecting');
    expect(seen).toContain('streaming');
  });

  it('creates a legacy thread first, then reads NDJSON', async () => {
    let messageBody: unknown;
    server.use(
      http.post(`${base}/api/assistants/threads`, () => HttpResponse.json({ threadId: 'thread_legacy' })),
      http.post(`${base}/api/assistants/threads/thread_legacy/messages`, async ({ request }) => {
        messageBody = await request.json();
        return stream(toNdjson(answerEvents(['Old ', 'route'])), 'text/plain');
      }),
    );
    const state = await runQuestion({
      backend: 'legacy',
      content: 'Hi',
      signal: new AbortController().signal,
    });
    expect(legacyMessageRequestSchema.parse(messageBody)).toEqual({ content: 'Hi' });
    expect(answerText(state)).toBe('Old route');
    expect(state.outcome).toBe('completed');
  });

  it('turns an error body into a readable problem', async () => {
    server.use(
      http.post(`${base}/chat/stream`, () =>
        HttpResponse.json(
          { statusCode: 409, code: 'thread_busy', message: 'A run is active on this thread' },
          { status: 409 },
        ),
      ),
    );
    const state = await runQuestion({
      backend: 'threadline',
      content: 'Hi',
      signal: new AbortController().signal,
    });
    expect(state.outcome).toBe('error');
    expect(state.problem?.detail).toMatch(/A run is active on this thread\. Another answer is still running/);
  });

  it('calls an unreachable server a dropped connection', async () => {
    server.use(http.post(`${base}/chat/stream`, () => HttpResponse.error()));
    const state = await runQuestion({
      backend: 'threadline',
      content: 'Hi',
      signal: new AbortController().signal,
    });
    expect(state.outcome).toBe('dropped');
    expect(state.problem?.detail).toMatch(/unreachable/);
  });

  it('stops when aborted and keeps what arrived', async () => {
    const controller = new AbortController();
    server.use(
      http.post(`${base}/chat/stream`, () => {
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          start(stream) {
            stream.enqueue(encoder.encode(toSse(answerEvents(['Partial'], []))));
            // never closes: only the abort ends this answer
          },
        });
        return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
      }),
    );
    const state = await runQuestion({
      backend: 'threadline',
      content: 'Hi',
      signal: controller.signal,
      onState: (next) => {
        if (answerText(next) === 'Partial') controller.abort();
      },
    });
    expect(state.outcome).toBe('cancelled');
    expect(answerText(state)).toBe('Partial');
  });

  it('picks a dropped stream up again from its last event id, then ends as the run ends', async () => {
    const events = [...answerEvents(['Hel', 'lo, ', 'world']), done];
    const withIds = (from: number, to: number) =>
      events
        .slice(from, to)
        .map((event, index) =>
          encodeSseFrame({
            id: `rs_test:${from + index + 1}`,
            event: event.event,
            data: event.event === 'done' ? '[DONE]' : JSON.stringify(event.data),
          }),
        )
        .join('');
    const cut = 4;
    const resumedWith: (string | null)[] = [];
    server.use(
      http.post(`${base}/chat/stream`, () => stream(withIds(0, cut), 'text/event-stream')),
      http.get(`${base}/threads/thread_test/stream`, ({ request }) => {
        resumedWith.push(request.headers.get('last-event-id'));
        return stream(withIds(cut, events.length), 'text/event-stream');
      }),
    );
    const state = await runQuestion({
      backend: 'threadline',
      content: 'Hi',
      signal: new AbortController().signal,
    });
    expect(resumedWith).toEqual([`rs_test:${cut}`]);
    expect(state.outcome).toBe('completed');
    expect(answerText(state)).toBe('Hello, world');
  });

  it('follows a thread run in progress from its start, and reports none on 204', async () => {
    server.use(
      http.get(`${base}/threads/thread_busy/stream`, () =>
        stream(toSse([...answerEvents(['Still ', 'going']), done]), 'text/event-stream'),
      ),
      http.get(`${base}/threads/thread_idle/stream`, () => new HttpResponse(null, { status: 204 })),
    );
    const signal = new AbortController().signal;
    expect(await followThreadRun({ threadId: 'thread_idle', signal })).toBeNull();
    const state = await followThreadRun({ threadId: 'thread_busy', signal });
    expect(state?.outcome).toBe('completed');
    expect(state ? answerText(state) : '').toBe('Still going');
  });

  it('stops a run by asking the server to cancel it', async () => {
    let cancelled = '';
    server.use(
      http.post(`${base}/threads/:id/cancel`, ({ params }) => {
        cancelled = String(params.id);
        return HttpResponse.json({ threadId: cancelled, cancelled: true });
      }),
    );
    await cancelThreadRun('thread_test');
    expect(cancelled).toBe('thread_test');
  });
});
