import { threadSummarySchema, transcriptMessageSchema } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TranscriptStore } from '../../src/transcripts/transcript-store.js';
import {
  assistantMessageFixture,
  minuteIso,
  threadFixture,
  userMessageFixture,
} from '../helpers/transcript-fixtures.js';

export type StoreHandle = { store: TranscriptStore; cleanup: () => Promise<void> };

/** The one behaviour every transcript store must have; each store's test file runs it. */
export function transcriptStoreContract(openStore: () => Promise<StoreHandle>): void {
  let handle: StoreHandle;
  let store: TranscriptStore;
  beforeAll(async () => {
    handle = await openStore();
    store = handle.store;
  });
  afterAll(async () => {
    await handle.cleanup();
  });

  it('stores a thread and its messages, titles it from the first user message, counts and previews', async () => {
    const thread = threadFixture();
    const question = userMessageFixture(thread, '  What is   the retrieval\nscore threshold?  ');
    const answer = assistantMessageFixture(thread, 'It filters hits below a score.');
    await store.writeBatch({ threads: [thread], messages: [question, answer] });

    const stored = await store.getThread('alice', thread.id);
    expect(threadSummarySchema.parse(stored)).toMatchObject({
      id: thread.id,
      title: 'What is the retrieval score threshold?',
      engine: 'local',
      vectorStoreIds: ['vs_1'],
      messageCount: 2,
      lastMessagePreview: 'It filters hits below a score.',
      createdAt: thread.createdAt,
      updatedAt: answer.completedAt,
    });
    const messages = await store.listMessages('alice', thread.id);
    expect(messages.map((message) => transcriptMessageSchema.parse(message))).toEqual(
      [question, answer].map(({ userId: _userId, ...message }) => message),
    );
    expect(await store.findThreadOwner(thread.id)).toBe('alice');
    expect(await store.findThreadOwner('thread_nobody')).toBeNull();
  });

  it('is idempotent: replaying batches leaves one copy and the same counters', async () => {
    const thread = threadFixture();
    const question = userMessageFixture(thread, 'Replay me');
    const answer = assistantMessageFixture(thread, 'Once only');
    const batch = { threads: [thread], messages: [question, answer] };
    await store.writeBatch(batch);
    await store.writeBatch(batch);
    await store.writeBatch({ threads: [thread, thread], messages: [answer, question, answer] });
    expect(await store.listMessages('alice', thread.id)).toHaveLength(2);
    expect(await store.getThread('alice', thread.id)).toMatchObject({
      messageCount: 2,
      lastMessagePreview: 'Once only',
    });
    expect(await store.listRuns('alice', thread.id)).toHaveLength(1);
  });

  it('keeps updatedAt from moving back when an older record is replayed', async () => {
    const thread = threadFixture({ updatedAt: minuteIso(30) });
    await store.writeBatch({ threads: [thread], messages: [] });
    await store.writeBatch({ threads: [{ ...thread, updatedAt: minuteIso(5) }], messages: [] });
    expect((await store.getThread('alice', thread.id))?.updatedAt).toBe(minuteIso(30));
  });

  it('upserts a message by id (a later write of the same id replaces its content) and records its run', async () => {
    const thread = threadFixture();
    const partial = assistantMessageFixture(thread, 'Partial', 2, {
      runStatus: 'cancelled',
      completedAt: null,
    });
    await store.writeBatch({ threads: [thread], messages: [userMessageFixture(thread, 'Hi'), partial] });
    await store.writeBatch({
      threads: [],
      messages: [{ ...partial, text: 'Partial answer, finished', runStatus: 'completed' }],
    });
    const messages = await store.listMessages('alice', thread.id);
    expect(messages.map((message) => message.text)).toEqual(['Hi', 'Partial answer, finished']);
    const runs = await store.listRuns('alice', thread.id);
    expect(runs).toEqual([
      expect.objectContaining({
        id: partial.runId,
        messageId: partial.id,
        status: 'completed',
        model: 'gpt-4.1-mini',
      }),
    ]);
  });

  it('accepts messages before their thread and settles the counters when the thread arrives', async () => {
    const thread = threadFixture({ title: '' });
    await store.writeBatch({ threads: [], messages: [userMessageFixture(thread, 'Early bird')] });
    await store.writeBatch({ threads: [thread], messages: [] });
    expect(await store.getThread('alice', thread.id)).toMatchObject({ messageCount: 1, title: 'Early bird' });
  });

  it('lets a rename stick: later automatic titles do not overwrite it', async () => {
    const thread = threadFixture({ title: 'Automatic' });
    await store.writeBatch({ threads: [thread], messages: [userMessageFixture(thread, 'Question')] });
    expect(await store.renameThread('bob', thread.id, 'Stolen')).toBeNull();
    expect(await store.renameThread('alice', thread.id, '  Mine  ')).toMatchObject({ title: 'Mine' });
    await store.writeBatch({ threads: [{ ...thread, title: 'Automatic again' }], messages: [] });
    expect((await store.getThread('alice', thread.id))?.title).toBe('Mine');
  });

  it('hides a thread from other users', async () => {
    const thread = threadFixture();
    await store.writeBatch({ threads: [thread], messages: [userMessageFixture(thread, 'Private')] });
    expect(await store.getThread('bob', thread.id)).toBeNull();
    expect(await store.listMessages('bob', thread.id)).toEqual([]);
    expect(await store.listRuns('bob', thread.id)).toEqual([]);
    expect(await store.deleteThread('bob', thread.id)).toBe(false);
    expect(await store.getThread('alice', thread.id)).not.toBeNull();
  });

  it('deletes a transcript for good: late and replayed writes do not revive it', async () => {
    const thread = threadFixture();
    const question = userMessageFixture(thread, 'Delete me');
    await store.writeBatch({ threads: [thread], messages: [question] });
    expect(await store.deleteThread('alice', thread.id)).toBe(true);
    await store.writeBatch({
      threads: [thread],
      messages: [question, assistantMessageFixture(thread, 'Too late')],
    });
    expect(await store.getThread('alice', thread.id)).toBeNull();
    expect(await store.listMessages('alice', thread.id)).toEqual([]);
    expect(await store.findThreadOwner(thread.id)).toBeNull();
  });

  it('tombstones a thread that is not stored yet', async () => {
    const thread = threadFixture();
    expect(await store.deleteThread('alice', thread.id)).toBe(false);
    await store.writeBatch({ threads: [thread], messages: [userMessageFixture(thread, 'Queued')] });
    expect(await store.getThread('alice', thread.id)).toBeNull();
  });

  describe('listing', () => {
    const user = `lister_${Date.now()}`;
    const threads = Array.from({ length: 5 }, (_, index) =>
      threadFixture({
        userId: user,
        id: `thread_list_${user}_${index}`,
        updatedAt: minuteIso(index < 2 ? 40 : 40 + index),
      }),
    );
    beforeAll(async () => {
      const messages = threads.map((thread, index) =>
        userMessageFixture(thread, index === 3 ? 'Été à Paris: (cost)? [x]' : `Question number ${index}`, 0),
      );
      await store.writeBatch({ threads: [...threads, threadFixture({ userId: 'someone_else' })], messages });
      await store.renameThread(user, threads[1]?.id ?? '', 'Renamed ZEBRA thread');
    });

    it('pages the caller’s threads newest first, ties broken stably, with no overlap', async () => {
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 5; page += 1) {
        const result = await store.listThreads(user, { limit: 2, cursor });
        seen.push(...result.data.map((thread) => thread.id));
        if (result.nextCursor === null) break;
        cursor = result.nextCursor;
      }
      expect(seen).toEqual(
        [threads[4], threads[3], threads[2], threads[1], threads[0]].map((thread) => thread?.id),
      );
    });

    it.each([
      ['a title, case-insensitively', 'zebra', [1]],
      ['message text, case-insensitively beyond ASCII', 'ÉTÉ À', [3]],
      ['regex and LIKE characters literally', '(cost)? [x]', [3]],
      ['percent signs literally', '%', []],
      ['a word in several threads', 'question NUMBER', [4, 2, 1, 0]],
    ])('searches %s', async (_name, q, expected) => {
      const result = await store.listThreads(user, { limit: 20, q });
      expect(result.data.map((thread) => thread.id)).toEqual(expected.map((index) => threads[index]?.id));
    });
  });
}
