import {
  apiPaths,
  errorBodySchema,
  threadIdHeader,
  threadListSchema,
  threadMessagesSchema,
  threadSummarySchema,
} from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChatHarness, type ChatHarness } from '../../helpers/chat-harness.js';
import {
  assistantMessageFixture,
  threadFixture,
  userMessageFixture,
} from '../../helpers/transcript-fixtures.js';

const alice = { authorization: 'Bearer alice-token-0001' };
const bob = { authorization: 'Bearer bob-token-00002' };

describe('thread history routes', () => {
  let harness: ChatHarness;
  const drained = async () => {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const status = harness.app.transcriptWriter.status();
      if (status.depth === 0 && status.outbox === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('writer did not drain');
  };
  beforeAll(async () => {
    harness = await createChatHarness({ AUTH_TOKENS: 'alice-token-0001=alice,bob-token-00002=bob' }, 'alice');
  });
  afterAll(async () => harness.close());

  const request = (method: 'GET' | 'PATCH' | 'DELETE', url: string, headers = alice, payload?: object) =>
    harness.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });

  it('records a real chat: the thread lists with a default title, both messages with file names', async () => {
    const chat = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { content: 'How much are meals reimbursed per day?', vectorStoreIds: [harness.vectorStoreId] },
    });
    expect(chat.statusCode).toBe(200);
    const threadId = String(chat.headers[threadIdHeader]);
    await drained();

    const list = threadListSchema.parse((await request('GET', apiPaths.threads)).json());
    expect(list.data.find((thread) => thread.id === threadId)).toMatchObject({
      title: 'How much are meals reimbursed per day?',
      messageCount: 2,
      vectorStoreIds: [harness.vectorStoreId],
    });
    const messages = threadMessagesSchema.parse(
      (await request('GET', apiPaths.threadMessages(threadId))).json(),
    );
    expect(messages.data.map((message) => message.role)).toEqual(['user', 'assistant']);
    const answer = messages.data[1];
    expect(answer).toMatchObject({ runStatus: 'completed' });
    expect(answer?.text).toMatch(/60 euros/);
    expect(answer?.citations.length).toBeGreaterThan(0);
    for (const citation of answer?.citations ?? [])
      expect(citation.fileName).toMatch(/^(travel|security)\.md$/);
  });

  it('resolves a citation recorded without a file name through the engine', async () => {
    const [file] = await harness.app.engine.vectorStores.listFiles(harness.vectorStoreId);
    const thread = threadFixture({ userId: 'alice', title: 'Citations' });
    const answer = assistantMessageFixture(thread, 'See the handbook.');
    const citation = answer.citations[0];
    if (!file || !citation) throw new Error('fixture missing');
    harness.app.recorder.recordThread(thread);
    harness.app.recorder.recordMessage({
      ...answer,
      citations: [{ ...citation, fileId: file.id, fileName: null }],
    });
    await drained();
    const messages = threadMessagesSchema.parse(
      (await request('GET', apiPaths.threadMessages(thread.id))).json(),
    );
    expect(messages.data[0]?.citations[0]?.fileName).toBe(file.fileName);
  });

  it('pages by updatedAt, newest first, and searches titles and message text', async () => {
    const threads = [0, 1, 2].map((index) =>
      threadFixture({
        userId: 'alice',
        title: `Paging ${index}`,
        updatedAt: `2030-01-0${index + 1}T00:00:00.000Z`,
      }),
    );
    for (const thread of threads) harness.app.recorder.recordThread(thread);
    harness.app.recorder.recordMessage(
      userMessageFixture(threads[0] ?? threadFixture(), 'Where is the PARKING garage?'),
    );
    await drained();

    const first = threadListSchema.parse((await request('GET', `${apiPaths.threads}?limit=2`)).json());
    expect(first.data.map((thread) => thread.title)).toEqual(['Paging 2', 'Paging 1']);
    expect(first.nextCursor).not.toBeNull();
    const second = threadListSchema.parse(
      (await request('GET', `${apiPaths.threads}?limit=2&cursor=${first.nextCursor ?? ''}`)).json(),
    );
    expect(second.data[0]?.title).toBe('Paging 0');

    const byText = threadListSchema.parse((await request('GET', `${apiPaths.threads}?q=parking`)).json());
    expect(byText.data.map((thread) => thread.id)).toEqual([threads[0]?.id]);
    const byTitle = threadListSchema.parse((await request('GET', `${apiPaths.threads}?q=PAGING%201`)).json());
    expect(byTitle.data.map((thread) => thread.id)).toEqual([threads[1]?.id]);

    const badCursor = await request('GET', `${apiPaths.threads}?cursor=nonsense`);
    expect(badCursor.statusCode).toBe(400);
    expect(errorBodySchema.parse(badCursor.json()).code).toBe('bad_request');
  });

  it('renames, and the new title sticks', async () => {
    const thread = threadFixture({ userId: 'alice', title: 'Before' });
    harness.app.recorder.recordThread(thread);
    await drained();
    const renamed = await request('PATCH', apiPaths.thread(thread.id), alice, { title: '  After  ' });
    expect(renamed.statusCode).toBe(200);
    expect(threadSummarySchema.parse(renamed.json()).title).toBe('After');
    const empty = await request('PATCH', apiPaths.thread(thread.id), alice, { title: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(threadSummarySchema.parse((await request('GET', apiPaths.thread(thread.id))).json()).title).toBe(
      'After',
    );
  });

  it('answers 404 for another user’s thread on every route, and lists only the caller’s', async () => {
    const thread = threadFixture({ userId: 'alice', title: 'Alice only' });
    harness.app.recorder.recordThread(thread);
    await drained();
    const attempts = [
      await request('GET', apiPaths.thread(thread.id), bob),
      await request('GET', apiPaths.threadMessages(thread.id), bob),
      await request('PATCH', apiPaths.thread(thread.id), bob, { title: 'Mine now' }),
      await request('DELETE', apiPaths.thread(thread.id), bob),
    ];
    for (const response of attempts) {
      expect(response.statusCode).toBe(404);
      expect(errorBodySchema.parse(response.json()).code).toBe('not_found');
    }
    const bobsList = threadListSchema.parse((await request('GET', apiPaths.threads, bob)).json());
    expect(bobsList.data.map((summary) => summary.id)).not.toContain(thread.id);
    expect((await request('GET', apiPaths.thread(thread.id))).statusCode).toBe(200);
    expect(
      (await request('GET', apiPaths.threads, { authorization: 'Bearer wrong-token-000' })).statusCode,
    ).toBe(401);
  });

  it('deletes the transcript and the engine thread; a chat on it afterwards is a 404', async () => {
    const chat = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { content: 'Delete this conversation', vectorStoreIds: [harness.vectorStoreId] },
    });
    const threadId = String(chat.headers[threadIdHeader]);
    await drained();
    const removed = await request('DELETE', apiPaths.thread(threadId));
    expect(removed.statusCode).toBe(204);
    expect((await request('GET', apiPaths.thread(threadId))).statusCode).toBe(404);
    expect(await harness.app.engine.getThread(threadId)).toBeNull();
    expect((await request('DELETE', apiPaths.thread(threadId))).statusCode).toBe(404);
    const again = await harness.app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      headers: alice,
      payload: { threadId, content: 'Still there?' },
    });
    expect(again.statusCode).toBe(404);
  });

  it('reports the store and the write queue in /health', async () => {
    const health = (await harness.app.inject({ method: 'GET', url: apiPaths.health })).json<{
      store: unknown;
      queue: unknown;
    }>();
    expect(health.store).toEqual({ kind: 'sqlite', reachable: true });
    expect(health.queue).toEqual({ depth: 0, outbox: 0, oldestPendingAgeMs: null, lastError: null, dead: 0 });
  });
});
