import {
  apiPaths,
  errorBodySchema,
  threadCancelResultSchema,
  threadIdHeader,
  threadMessagesSchema,
  type IdentifiedEvent,
} from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChatHarness,
  eventually,
  postJson,
  readIdentifiedEvents,
  type ChatHarness,
} from '../../helpers/chat-harness.js';
import { defaultAssistantId } from '../../../src/engines/local/threads/local-assistants.js';
import { extractiveModelId } from '../../../src/engines/local/runs/run-objects.js';
import { slowModel, startConformanceLlm } from '../../helpers/conformance-llm.js';

const alice = { authorization: 'Bearer alice-token-1' };
const bob = { authorization: 'Bearer bob-token-22' };

/**
 * Runs outlive their request, over real HTTP: the app on loopback, its local engine streaming
 * from a deterministic LLM double on loopback that types 300 words, one every 20 ms.
 */
describe('runs belong to their thread: resume, follow, Stop', () => {
  let llm: Awaited<ReturnType<typeof startConformanceLlm>>;
  let harness: ChatHarness;
  let baseUrl: string;
  beforeAll(async () => {
    llm = await startConformanceLlm();
    harness = await createChatHarness(
      {
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: slowModel,
        AUTH_TOKENS: 'alice-token-1=alice,bob-token-22=bob',
        HEARTBEAT_MS: '200',
      },
      'alice',
    );
    baseUrl = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
    await llm.close();
  });

  const ask = (content: string, init: { signal?: AbortSignal; accept?: string; isQuick?: boolean } = {}) =>
    postJson(
      `${baseUrl}${apiPaths.chatStream}`,
      {
        content,
        vectorStoreIds: [harness.vectorStoreId],
        // The extractive model answers at once, for tests that need a finished run.
        ...(init.isQuick ? { model: extractiveModelId } : {}),
      },
      {
        headers: { ...alice, ...(init.accept ? { accept: init.accept } : {}) },
        ...(init.signal ? { signal: init.signal } : {}),
      },
    );
  const follow = (threadId: string, headers: Record<string, string> = {}, query = '') =>
    fetch(`${baseUrl}${apiPaths.threadStream(threadId)}${query}`, { headers: { ...alice, ...headers } });
  const cancel = (threadId: string, headers = alice) =>
    fetch(`${baseUrl}${apiPaths.threadCancel(threadId)}`, { method: 'POST', headers });

  /** Reads until `stop` holds, then leaves (closing the connection), or to the end. */
  async function read(response: Response, stop?: (event: IdentifiedEvent) => boolean) {
    const events: IdentifiedEvent[] = [];
    for await (const event of readIdentifiedEvents(response)) {
      events.push(event);
      if (stop?.(event)) break;
    }
    return events;
  }
  const names = (events: IdentifiedEvent[]) => events.map((item) => item.event.event);
  const ids = (events: IdentifiedEvent[]) => events.map((item) => item.id);
  const isDelta = (item: IdentifiedEvent) => item.event.event === 'thread.message.delta';
  const deltas = (count: number) => {
    let seen = 0;
    return (item: IdentifiedEvent) => isDelta(item) && ++seen === count;
  };
  const assistantRecord = (threadId: string, status: string) =>
    eventually(
      async () => {
        const response = await fetch(`${baseUrl}${apiPaths.threadMessages(threadId)}`, { headers: alice });
        const last = threadMessagesSchema.parse(await response.json()).data.at(-1);
        return last?.role === 'assistant' && last.runStatus === status ? last : undefined;
      },
      15_000,
      `an assistant message recorded ${status}`,
    );

  it('a client that leaves after the first delta does not stop the run: it completes and is stored whole', async () => {
    const controller = new AbortController();
    const response = await ask('How much are meals reimbursed?', { signal: controller.signal });
    expect(response.status).toBe(200);
    const threadId = String(response.headers.get(threadIdHeader));
    await read(response, isDelta);
    controller.abort();
    const answer = await assistantRecord(threadId, 'completed');
    expect(answer.text).toMatch(/^word0 word1 /);
    expect(answer.text.trim().endsWith('word299')).toBe(true);
  });

  it('every event carries an id naming its run and position, on SSE and NDJSON alike', async () => {
    const controller = new AbortController();
    const response = await ask('Meals?', { signal: controller.signal, accept: 'application/x-ndjson' });
    const threadId = String(response.headers.get(threadIdHeader));
    const events = await read(response, deltas(3));
    controller.abort();
    const stream = events.map((item) => /^(rs_[\w-]+):(\d+)$/.exec(item.id ?? ''));
    expect(stream.every((match) => match !== null)).toBe(true);
    expect(new Set(stream.map((match) => match?.[1])).size).toBe(1);
    expect(stream.map((match) => Number(match?.[2]))).toEqual(events.map((_, index) => index + 1));
    await cancel(threadId);
  });

  it('resuming with Last-Event-ID yields exactly the remaining events, in order, live to the end', async () => {
    const controller = new AbortController();
    const response = await ask('How much are meals reimbursed?', { signal: controller.signal });
    const threadId = String(response.headers.get(threadIdHeader));
    // A reader that follows the whole run from its start, for the reference sequence.
    const whole = read(await follow(threadId));
    const before = await read(response, deltas(5));
    controller.abort();
    // Let the run go on without this client for a while.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const lastId = String(before.at(-1)?.id);
    const resumed = await follow(threadId, { 'last-event-id': lastId });
    expect(resumed.status).toBe(200);
    expect(resumed.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const after = await read(resumed);
    const reference = await whole;

    expect(names(after).at(-1)).toBe('done');
    expect(names(after).at(-2)).toBe('thread.run.completed');
    const withoutDone = (events: IdentifiedEvent[]) => events.filter((item) => item.event.event !== 'done');
    expect([...ids(before), ...ids(withoutDone(after))]).toEqual(ids(withoutDone(reference)));
    expect([...before, ...withoutDone(after)].map((item) => item.event)).toEqual(
      withoutDone(reference).map((item) => item.event),
    );

    // The same cursor as a query parameter replays the same rest; at the end, nothing is left: 204.
    const again = await read(await follow(threadId, {}, `?after=${encodeURIComponent(lastId)}`));
    expect(ids(withoutDone(again))).toEqual(ids(withoutDone(after)));
    const endId = String(withoutDone(after).at(-1)?.id);
    expect((await follow(threadId, { 'last-event-id': endId })).status).toBe(204);
  });

  it('answers 204 when the thread has no run in progress', async () => {
    const response = await ask('Meals?', { isQuick: true });
    const threadId = String(response.headers.get(threadIdHeader));
    expect(names(await read(response)).at(-2)).toBe('thread.run.completed');
    const idle = await follow(threadId);
    expect(idle.status).toBe(204);
    expect(await idle.text()).toBe('');
  });

  it('two readers of one run receive identical event sequences', async () => {
    const response = await ask('How much are meals reimbursed?');
    const threadId = String(response.headers.get(threadIdHeader));
    const first = read(response);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await read(await follow(threadId));
    const firstEvents = await first;
    expect(names(firstEvents).at(-2)).toBe('thread.run.completed');
    expect(second.length).toBeGreaterThan(300);
    expect(second).toEqual(firstEvents);
  });

  it('Stop ends every reader with thread.run.cancelled, keeps the partial answer marked cancelled, and is idempotent', async () => {
    const response = await ask('How much are meals reimbursed?');
    const threadId = String(response.headers.get(threadIdHeader));
    const firstReader = read(response);
    const secondResponse = await follow(threadId);
    const secondReader = read(secondResponse);
    await eventually(
      async () => ((await follow(threadId)).status === 200 ? true : undefined),
      5000,
      'a run to follow',
    );
    await new Promise((resolve) => setTimeout(resolve, 300));

    expect((await cancel(threadId, bob)).status).toBe(404);
    const stopped = await cancel(threadId);
    expect(stopped.status).toBe(200);
    expect(threadCancelResultSchema.parse(await stopped.json())).toEqual({ threadId, cancelled: true });
    for (const events of [await firstReader, await secondReader]) {
      expect(names(events).slice(-2)).toEqual(['thread.run.cancelled', 'done']);
      expect(names(events)).not.toContain('thread.run.completed');
    }
    const again = await cancel(threadId);
    expect(threadCancelResultSchema.parse(await again.json())).toEqual({ threadId, cancelled: false });
    const answer = await assistantRecord(threadId, 'cancelled');
    expect(answer.text).toMatch(/^word0 /);
    expect(answer.text).not.toContain('word299');
  });

  it("keeps other users out: another user's thread is 404 to follow and to stop", async () => {
    const controller = new AbortController();
    const response = await ask('Meals?', { signal: controller.signal });
    const threadId = String(response.headers.get(threadIdHeader));
    await read(response, isDelta);
    controller.abort();
    const followed = await follow(threadId, bob);
    expect(followed.status).toBe(404);
    expect(errorBodySchema.parse(await followed.json()).code).toBe('not_found');
    expect((await cancel(threadId, bob)).status).toBe(404);
    expect((await cancel(threadId)).status).toBe(200);
  });

  it('answers an id too old to replay with 410, and a malformed or future one with 400, in the error shape', async () => {
    const response = await ask('Meals?', { isQuick: true });
    const threadId = String(response.headers.get(threadIdHeader));
    const events = await read(response);
    const lastId = String(events.filter((item) => item.event.event !== 'done').at(-1)?.id);

    const forgotten = await follow(threadId, { 'last-event-id': 'rs_forgotten123:4' });
    expect(forgotten.status).toBe(410);
    expect(errorBodySchema.parse(await forgotten.json())).toMatchObject({
      statusCode: 410,
      code: 'cursor_expired',
    });
    const malformed = await follow(threadId, { 'last-event-id': 'not an id' });
    expect(malformed.status).toBe(400);
    expect(errorBodySchema.parse(await malformed.json()).code).toBe('validation_failed');
    const future = await follow(threadId, {}, `?after=${lastId.replace(/:\d+$/, ':999999')}`);
    expect(future.status).toBe(400);
    expect(errorBodySchema.parse(await future.json()).code).toBe('bad_request');
  });

  it("a run streamed through /v1 keeps OpenAI's wire format and can be followed and stopped the same way", async () => {
    const v1 = (path: string, body: object) =>
      postJson(`${baseUrl}/v1${path}`, body, { headers: { ...alice, 'openai-beta': 'assistants=v2' } });
    const thread = (await (
      await v1('/threads', {
        messages: [{ role: 'user', content: 'How much are meals reimbursed?' }],
        tool_resources: { file_search: { vector_store_ids: [harness.vectorStoreId] } },
      })
    ).json()) as { id: string };
    const streamed = await v1(`/threads/${thread.id}/runs`, {
      assistant_id: defaultAssistantId,
      stream: true,
      model: slowModel,
    });
    expect(streamed.status).toBe(200);
    const own = read(streamed);
    const followed = await follow(thread.id);
    expect(followed.status).toBe(200);
    const follower = read(followed);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await follow(thread.id, bob)).status).toBe(404);
    const stopped = await cancel(thread.id);
    expect(threadCancelResultSchema.parse(await stopped.json())).toEqual({
      threadId: thread.id,
      cancelled: true,
    });
    const [ownEvents, followerEvents] = [await own, await follower];
    expect(names(ownEvents).slice(-2)).toEqual(['thread.run.cancelled', 'done']);
    expect(names(followerEvents).slice(-2)).toEqual(['thread.run.cancelled', 'done']);
    // OpenAI's frames carry no ids; the follower's do, and both saw the same events.
    expect(ownEvents.every((item) => item.id === null)).toBe(true);
    expect(followerEvents.every((item) => item.id !== null)).toBe(true);
    expect(followerEvents.map((item) => item.event)).toEqual(ownEvents.map((item) => item.event));
  });
});
