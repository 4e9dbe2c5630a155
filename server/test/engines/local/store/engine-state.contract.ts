import { inProgressRunStep, type Message, type RunStep } from '@threadline/shared';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { actAs } from '../../../../src/common/index.js';
import { isSecondActiveRun } from '../../../../src/engines/local/store/engine-store.js';
import type { EngineState } from '../../../../src/engines/local/store/engine-state.js';
import type { PageQuery } from '../../../../src/engines/local/store/json-table.js';
import {
  newAssistant,
  newMessage,
  newRun,
  newThread,
} from '../../../../src/engines/local/runs/run-objects.js';

export type EngineStateHandle = {
  state: EngineState;
  /** The same database opened again (a restart, or another instance). */
  reopen: () => Promise<EngineState>;
  cleanup: () => Promise<void>;
};

/** The one behaviour both homes of the engine's state must have: SQLite and PostgreSQL. */
export function engineStateContract(openState: () => Promise<EngineStateHandle>): void {
  let handle: EngineStateHandle;
  let state: EngineState;
  beforeAll(async () => {
    handle = await openState();
    state = handle.state;
  });
  afterAll(async () => {
    await handle?.cleanup();
  });

  async function threadWithMessages(count: number, owner?: string) {
    const thread = newThread(['vs_1'], { topic: 'git' });
    await state.threads.insert(thread, undefined, owner);
    const messages: Message[] = [];
    for (let index = 0; index < count; index++) {
      const message = newMessage(thread.id, { content: `message ${index}` });
      await state.messages.insert(message, thread.id);
      messages.push(message);
    }
    return { thread, messages };
  }

  // Acting for the owner, as the engine does within a request: on PostgreSQL row-level security
  // lets a transaction see and write only the acting user's rows.
  it('stores an object whole and reads it back validated; updates and deletes it', () =>
    actAs('alice', async () => {
      const { thread } = await threadWithMessages(0, 'alice');
      expect(await state.threads.get(thread.id)).toEqual(thread);
      const renamed = { ...thread, metadata: { topic: 'rebase' } };
      await state.threads.update(renamed);
      expect(await state.threads.get(thread.id)).toEqual(renamed);
      expect(await state.threads.ownerOf(thread.id)).toBe('alice');
      expect(await state.threads.delete(thread.id)).toBe(true);
      expect(await state.threads.get(thread.id)).toBeNull();
      expect(await state.threads.ownerOf(thread.id)).toBeUndefined();
      expect(await state.threads.delete(thread.id)).toBe(false);
    }));

  it.each<[string, PageQuery, number[], boolean]>([
    ['newest first', { limit: 2, order: 'desc' }, [4, 3], true],
    ['oldest first', { limit: 10, order: 'asc' }, [0, 1, 2, 3, 4], false],
    ['after, ascending', { limit: 2, order: 'asc', after: '1' }, [2, 3], true],
    ['after, descending', { limit: 5, order: 'desc', after: '2' }, [1, 0], false],
    ['before, ascending: the rows right before it', { limit: 2, order: 'asc', before: '3' }, [1, 2], true],
    ['before, descending, reaching the end', { limit: 2, order: 'desc', before: '3' }, [4], false],
    ['after and before', { limit: 5, order: 'asc', after: '0', before: '4' }, [1, 2, 3], false],
    ['an unknown cursor is ignored', { limit: 2, order: 'asc', after: 'missing' }, [0, 1], true],
  ])('pages a thread’s messages: %s', async (_name, query, expected, hasMore) => {
    const { thread, messages } = await threadWithMessages(5);
    const cursor = (value: string | undefined) =>
      value === undefined ? undefined : value === 'missing' ? 'msg_missing' : messages[Number(value)]!.id;
    const page = await state.messages.list(thread.id, {
      ...query,
      after: cursor(query.after),
      before: cursor(query.before),
    });
    expect(page.data.map((message) => message.id)).toEqual(expected.map((index) => messages[index]!.id));
    expect(page.hasMore).toBe(hasMore);
  });

  it('counts and lists every message of a thread in order, and no other thread’s', async () => {
    const { thread, messages } = await threadWithMessages(3);
    await threadWithMessages(2);
    expect(await state.countMessages(thread.id)).toBe(3);
    expect((await state.allMessages(thread.id)).map((message) => message.id)).toEqual(
      messages.map((message) => message.id),
    );
  });

  it('lists assistants visible to a user: theirs and the unowned ones, not another user’s', async () => {
    const shared = newAssistant({ model: 'm', name: 'shared' });
    const alices = newAssistant({ model: 'm', name: 'alice' });
    const bobs = newAssistant({ model: 'm', name: 'bob' });
    await state.assistants.insert(shared, undefined, null);
    await actAs('alice', () => state.assistants.insert(alices, undefined, 'alice'));
    await actAs('bob', () => state.assistants.insert(bobs, undefined, 'bob'));
    const visible = await actAs('alice', () =>
      state.assistants.list(null, { limit: 100, order: 'asc' }, 'alice'),
    );
    const ids = visible.data.map((assistant) => assistant.id);
    expect(ids).toContain(shared.id);
    expect(ids).toContain(alices.id);
    expect(ids).not.toContain(bobs.id);
    expect(await state.assistants.ownerOf(shared.id)).toBeNull();
    const unfiltered = await actAs('bob', () => state.assistants.list(null, { limit: 100, order: 'asc' }));
    expect(unfiltered.data.map((assistant) => assistant.id)).toContain(bobs.id);
  });

  it('finds active runs by status, per thread, and keeps a run’s context', async () => {
    const { thread } = await threadWithMessages(1);
    const assistant = newAssistant({ model: 'm' });
    await state.assistants.insert(assistant);
    const queued = newRun({ thread, assistant, model: 'm', instructions: null, tools: [], metadata: null });
    const done = newRun({ thread, assistant, model: 'm', instructions: null, tools: [], metadata: null });
    await state.runs.insert(queued, thread.id);
    await state.runs.insert({ ...done, status: 'completed' }, thread.id);
    expect(await state.activeRunIds(thread.id)).toEqual([queued.id]);
    expect(await state.activeRunIds()).toContain(queued.id);
    await state.runs.update({ ...queued, status: 'in_progress' });
    expect(await state.activeRunIds(thread.id)).toEqual([queued.id]);
    await state.runs.update({ ...queued, status: 'expired' });
    expect(await state.activeRunIds(thread.id)).toEqual([]);

    expect(await state.runContext(queued.id)).toBeNull();
    const context = { query: 'how to rebase', hits: [], messageIndex: 1, toolRounds: [] };
    await state.setRunContext(queued.id, context);
    expect(await state.runContext(queued.id)).toEqual(context);
  });

  it('holds one active run per thread: a second is refused until the first ends', async () => {
    const { thread } = await threadWithMessages(1);
    const assistant = newAssistant({ model: 'm' });
    await state.assistants.insert(assistant);
    const run = () =>
      newRun({ thread, assistant, model: 'm', instructions: null, tools: [], metadata: null });
    const first = run();
    await state.runs.insert(first, thread.id);
    // Two instances (or two requests in one) that both found the thread idle: one insert wins.
    for (const status of ['queued', 'requires_action'] as const) {
      const error: unknown = await state.runs
        .insert({ ...run(), status }, thread.id)
        .catch((caught: unknown) => caught);
      expect(isSecondActiveRun(error)).toBe(true);
    }
    await state.runs.insert({ ...run(), status: 'completed' }, thread.id);
    await state.runs.update({ ...first, status: 'cancelled' });
    const next = run();
    await state.runs.insert(next, thread.id);
    expect(await state.activeRunIds(thread.id)).toEqual([next.id]);
    // Another thread is not held by this one's run.
    const other = await threadWithMessages(0);
    await state.runs.insert(
      newRun({ thread: other.thread, assistant, model: 'm', instructions: null, tools: [], metadata: null }),
      other.thread.id,
    );
    expect(isSecondActiveRun(new Error('unrelated'))).toBe(false);
  });

  it('deletes a thread’s messages, runs and run steps with it', async () => {
    const { thread, messages } = await threadWithMessages(2);
    const assistant = newAssistant({ model: 'm' });
    await state.assistants.insert(assistant);
    const run = newRun({ thread, assistant, model: 'm', instructions: null, tools: [], metadata: null });
    await state.runs.insert(run, thread.id);
    const step: RunStep = inProgressRunStep({
      id: 'step_contract1',
      createdAt: 1,
      assistantId: assistant.id,
      threadId: thread.id,
      runId: run.id,
      details: { type: 'message_creation', message_creation: { message_id: messages[0]!.id } },
    });
    await state.steps.insert(step, run.id);
    expect((await state.steps.list(run.id, { limit: 10, order: 'asc' })).data).toEqual([step]);
    await state.threads.delete(thread.id);
    expect(await state.messages.get(messages[0]!.id)).toBeNull();
    expect(await state.runs.get(run.id)).toBeNull();
    expect(await state.steps.get(step.id)).toBeNull();
  });

  it('commits a transaction’s writes together, and none of them when it throws', async () => {
    const thread = newThread([], null);
    const message = newMessage(thread.id, { content: 'kept' });
    await state.transaction(async (inside) => {
      await inside.threads.insert(thread);
      await inside.messages.insert(message, thread.id);
    });
    expect(await state.messages.get(message.id)).not.toBeNull();

    const lost = newThread([], null);
    await expect(
      state.transaction(async (inside) => {
        await inside.threads.insert(lost);
        await inside.messages.insert(newMessage(lost.id, { content: 'lost' }), lost.id);
        throw new Error('the work failed');
      }),
    ).rejects.toThrow('the work failed');
    expect(await state.threads.get(lost.id)).toBeNull();
  });

  it('rejects a message for a thread that does not exist', async () => {
    await expect(
      state.messages.insert(newMessage('thread_none', { content: 'x' }), 'thread_none'),
    ).rejects.toThrow();
  });

  it('keeps its identity and its rows when opened again', () =>
    actAs('carol', async () => {
      const { thread } = await threadWithMessages(1, 'carol');
      const identity = await state.identity();
      expect(identity).toMatch(/^[0-9a-f]{24}$/);
      const again = await handle.reopen();
      expect(await again.identity()).toBe(identity);
      expect(await again.threads.get(thread.id)).toEqual(thread);
      expect(await again.threads.ownerOf(thread.id)).toBe('carol');
    }));
}
