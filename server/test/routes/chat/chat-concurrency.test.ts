import { apiPaths, threadIdHeader, type AssistantStreamEvent } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Engine } from '../../../src/engines/engine.js';
import { LocalEngine } from '../../../src/engines/local/local-engine.js';
import {
  createChatHarness,
  eventNames,
  eventually,
  postJson,
  readEvents,
  type ChatHarness,
} from '../../helpers/chat-harness.js';
import { createMockLlm, mockLlmBaseUrl, slowWords } from '../../helpers/mock-llm.js';

const isLocalEngine = (engine: Engine): engine is LocalEngine => engine instanceof LocalEngine;

describe('/chat/stream over real HTTP: concurrency and disconnects', () => {
  const llm = createMockLlm();
  let harness: ChatHarness;
  let url: string;
  let engine: LocalEngine;
  beforeAll(async () => {
    llm.listen();
    // ON_CLIENT_LEAVE=cancel: the disconnect test checks the setting that keeps runs tied to requests.
    harness = await createChatHarness({
      LLM_BASE_URL: mockLlmBaseUrl,
      HEARTBEAT_MS: '100',
      ON_CLIENT_LEAVE: 'cancel',
    });
    url = `${await harness.listen()}${apiPaths.chatStream}`;
    const configured = harness.app.engine;
    if (!isLocalEngine(configured)) throw new Error('expected the local engine');
    engine = configured;
  });
  afterAll(async () => {
    await harness.close();
    llm.close();
  });

  const ask = (body: object, signal?: AbortSignal) =>
    postJson(url, { vectorStoreIds: [harness.vectorStoreId], ...body }, signal ? { signal } : {});

  /** Collects events until `stop` says so (then leaves the stream open) or the stream ends. */
  async function collect(response: Response, stop?: (event: AssistantStreamEvent) => boolean) {
    const events: AssistantStreamEvent[] = [];
    const iterator = readEvents(response);
    // next() by hand: breaking out of for-await would close the generator for later reads.
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      events.push(next.value);
      if (stop?.(next.value)) break;
    }
    return { events, rest: iterator };
  }

  it('a second send to a busy thread cancels the first run; no active-run error, no interleaving', async () => {
    llm.script(slowWords(200, 10));
    const first = await ask({ content: 'How much are meals reimbursed?' });
    const threadId = String(first.headers.get(threadIdHeader));
    const { events: firstEvents, rest } = await collect(
      first,
      (event) => event.event === 'thread.message.delta',
    );
    llm.script({ tokens: ['Hotels ', 'are capped at 180 euros [1].'] });
    const secondPromise = ask({ threadId, content: 'And hotels?' });
    for await (const event of rest) firstEvents.push(event);
    const second = await secondPromise;
    expect(second.status).toBe(200);
    const { events: secondEvents } = await collect(second);

    const firstNames = eventNames(firstEvents);
    expect(firstNames.at(-1)).toBe('done');
    expect(firstNames.at(-2)).toBe('thread.run.cancelled');
    expect(firstNames).not.toContain('error');
    const secondNames = eventNames(secondEvents);
    expect(secondNames).not.toContain('error');
    expect(secondNames.at(-2)).toBe('thread.run.completed');
    const firstRunId = firstEvents.find((event) => event.event === 'thread.run.created');
    const secondRun = secondEvents.find((event) => event.event === 'thread.run.created');
    expect(firstRunId?.data).not.toEqual(secondRun?.data);

    const messages = await engine.listMessages(threadId, { order: 'asc' });
    expect(messages.map((message) => `${message.role}:${message.status}`)).toEqual([
      'user:completed',
      'assistant:incomplete',
      'user:completed',
      'assistant:completed',
    ]);
  });

  it('three racing sends to one thread all get a stream; only the last completes', async () => {
    llm.script(slowWords(30, 5));
    const seed = await ask({ content: 'Hello' });
    const threadId = String(seed.headers.get(threadIdHeader));
    await collect(seed);
    const responses = await Promise.all(
      ['one', 'two', 'three'].map((content) => ask({ threadId, content: `Meals ${content}?` })),
    );
    const streams = await Promise.all(
      responses.map(async (response) => eventNames((await collect(response)).events)),
    );
    expect(responses.map((response) => response.status)).toEqual([200, 200, 200]);
    for (const names of streams) expect(names).not.toContain('error');
    const endings = streams.map((names) => names.at(-2));
    expect(endings.filter((ending) => ending === 'thread.run.cancelled')).toHaveLength(2);
    expect(endings.at(-1)).toBe('thread.run.completed');
  });

  it('settles active runs before appending to an existing thread, and skips that for a thread it has just made', async () => {
    const settled: string[] = [];
    const settle = engine.cancelActiveRuns.bind(engine);
    engine.cancelActiveRuns = async (threadId, signal) => {
      settled.push(threadId);
      return settle(threadId, signal);
    };
    try {
      const first = await ask({ content: 'Meals?' });
      const threadId = first.headers.get(threadIdHeader) ?? '';
      expect(eventNames((await collect(first)).events)).toContain('thread.run.completed');
      expect(settled).toEqual([]);
      const second = await ask({ threadId, content: 'And hotels?' });
      expect(eventNames((await collect(second)).events)).toContain('thread.run.completed');
      expect(settled).toEqual([threadId]);
    } finally {
      engine.cancelActiveRuns = settle;
    }
  });

  it('different threads stream in parallel', async () => {
    llm.script(slowWords(20, 15));
    const timeline = async (response: Response) => {
      let firstDeltaAt = Infinity;
      for await (const event of readEvents(response)) {
        if (event.event === 'thread.message.delta') firstDeltaAt = Math.min(firstDeltaAt, performance.now());
      }
      return { firstDeltaAt, endedAt: performance.now() };
    };
    const [a, b] = await Promise.all([ask({ content: 'Meals?' }), ask({ content: 'Hotels?' })]);
    expect(a.headers.get(threadIdHeader)).not.toBe(b.headers.get(threadIdHeader));
    const [timelineA, timelineB] = await Promise.all([timeline(a), timeline(b)]);
    // Each answered while the other was still streaming (in series one would start after the other ended).
    expect(timelineA.firstDeltaAt).toBeLessThan(timelineB.endedAt);
    expect(timelineB.firstDeltaAt).toBeLessThan(timelineA.endedAt);
  });

  it('with ON_CLIENT_LEAVE=cancel, a client that disconnects mid-stream cancels the run within 100 ms and keeps the partial answer', async () => {
    llm.script(slowWords(200, 10));
    const controller = new AbortController();
    const response = await ask({ content: 'How much are meals reimbursed?' }, controller.signal);
    const threadId = String(response.headers.get(threadIdHeader));
    const { events } = await collect(response, (event) => event.event === 'thread.message.delta');
    const run = events.find((event) => event.event === 'thread.run.created');
    const runId = run?.event === 'thread.run.created' ? run.data.id : '';
    const abortedAt = performance.now();
    controller.abort();
    const cancelledAfter = await eventually(
      async () =>
        (await engine.getRun(threadId, runId)).status === 'cancelled'
          ? performance.now() - abortedAt
          : undefined,
      5000,
      `run ${runId} cancelled`,
    );
    expect(cancelledAfter).toBeLessThanOrEqual(100);
    const messages = await engine.listMessages(threadId, { order: 'asc' });
    const answer = messages.at(-1);
    expect(answer?.status).toBe('incomplete');
    const text = answer?.content[0];
    expect(text?.type === 'text' ? text.text.value : '').toMatch(/^word0 /);
    const recorded = await eventually(
      async () => {
        const transcript = await harness.app.transcripts.listMessages('local', threadId);
        const last = transcript.at(-1);
        return last?.role === 'assistant' ? { transcript, last } : undefined;
      },
      5000,
      'assistant message recorded',
    );
    expect(recorded.transcript.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(recorded.last).toMatchObject({ runId, runStatus: 'cancelled' });
    expect(recorded.last.text).toMatch(/^word0 /);
  });

  it('sends heartbeat comments while the run is idle', async () => {
    llm.script({ tokens: ['Meals ', 'are 60 euros [1].'], delayMs: 300 });
    const response = await ask({ content: 'Meals?' });
    const body = await response.text();
    expect(body).toContain(': heartbeat\n\n');
    expect(body.endsWith('event: done\ndata: [DONE]\n\n')).toBe(true);
  });
});
