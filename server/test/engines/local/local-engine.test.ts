import { parseAssistantStreamEvent, type AssistantStreamEvent, type Message } from '@threadline/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  noKnowledgeBaseText,
  noRelevantInformationText,
} from '../../../src/engines/local/answer/no-answer.js';
import { AppError } from '../../../src/http/errors/app-error.js';
import { createEngineFixture, type EngineFixture } from '../../helpers/local-engine-fixture.js';

const collect = async (events: AsyncIterable<AssistantStreamEvent>) => {
  const collected: AssistantStreamEvent[] = [];
  for await (const event of events) collected.push(event);
  return collected;
};

const textOf = (message: Message) => (message.content[0]?.type === 'text' ? message.content[0].text : null);

describe('LocalEngine runs', () => {
  let fixture: EngineFixture;
  beforeEach(async () => {
    fixture = await createEngineFixture();
  });
  afterEach(async () => {
    await fixture.close();
    fixture.cleanup();
  });

  const askInThread = async (question: string, vectorStoreIds = [fixture.vectorStoreId]) => {
    const thread = await fixture.engine.createThread({ vectorStoreIds });
    await fixture.engine.appendMessage(thread.id, { content: question });
    return thread;
  };

  it('emits the Assistants events in OpenAI order, each valid against the shared schemas', async () => {
    const thread = await askInThread('How much are meals reimbursed per day?');
    const events = await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    for (const event of events) expect(parseAssistantStreamEvent(event).success).toBe(true);
    const names = events.map((event) => event.event);
    const firstDelta = names.indexOf('thread.message.delta');
    expect(names.slice(0, firstDelta)).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.run.step.delta',
      'thread.run.step.delta',
      'thread.run.step.completed',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
    ]);
    expect(names.slice(names.lastIndexOf('thread.message.delta') + 1)).toEqual([
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    expect(names.filter((name) => name === 'thread.message.delta').length).toBeGreaterThan(1);

    // The search call is announced with no results, opened by a delta, then filled by one.
    const [announced, , opening, filled, searchStep] = events.slice(3, 8);
    expect(announced?.event === 'thread.run.step.created' && announced.data.step_details).toMatchObject({
      type: 'tool_calls',
      tool_calls: [
        { type: 'file_search', id: expect.stringMatching(/^call_/) as unknown, file_search: { results: [] } },
      ],
    });
    expect(opening?.data).toMatchObject({
      id: announced?.event === 'thread.run.step.created' ? announced.data.id : '',
      delta: {
        step_details: {
          type: 'tool_calls',
          tool_calls: [{ index: 0, type: 'file_search', file_search: {} }],
        },
      },
    });
    expect(
      filled?.event === 'thread.run.step.delta' && filled.data.delta.step_details?.tool_calls?.[0],
    ).toMatchObject({
      index: 0,
      type: 'file_search',
      file_search: { results: [expect.objectContaining({ index: 0, file_name: 'travel.md' })] },
    });
    expect(searchStep?.event === 'thread.run.step.completed' && searchStep.data.step_details).toMatchObject({
      type: 'tool_calls',
      tool_calls: [{ type: 'file_search' }],
    });
    const searchCall =
      searchStep?.event === 'thread.run.step.completed' ? searchStep.data.step_details : null;
    const results =
      searchCall?.type === 'tool_calls' && searchCall.tool_calls[0]?.type === 'file_search'
        ? (searchCall.tool_calls[0].file_search.results ?? [])
        : [];
    expect(results[0]).toMatchObject({ file_name: 'travel.md' });
    expect(results[0]?.content).toBeUndefined();
    const completed = events.find((event) => event.event === 'thread.message.completed');
    if (completed?.event !== 'thread.message.completed') throw new Error('no completed message');
    const text = textOf(completed.data);
    expect(text?.value).toContain('60 euros per day');
    expect(text?.annotations.length).toBeGreaterThan(0);
    for (const annotation of text?.annotations ?? []) {
      expect(text?.value.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);
      expect(annotation.text).toMatch(/^【\d+:\d+†travel\.md】$/);
    }
    const streamed = events.flatMap((event) =>
      event.event === 'thread.message.delta' ? [event.data.delta.content[0]?.text?.value ?? ''] : [],
    );
    expect(streamed.join('')).toBe(text?.value);
    const run = events.at(-1);
    expect(run?.event === 'thread.run.completed' && run.data.usage?.total_tokens).toBeGreaterThan(0);
  });

  it('says so when nothing relevant is found, without citations', async () => {
    const thread = await askInThread('What is the capital of Mongolia?');
    await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    const [answer] = await fixture.engine.listMessages(thread.id, { order: 'desc', limit: 1 });
    expect(answer && textOf(answer)).toEqual({ value: noRelevantInformationText, annotations: [] });
  });

  it('says no knowledge base is attached when the thread has no vector stores', async () => {
    const thread = await askInThread('How much are meals reimbursed?', []);
    await collect(fixture.engine.streamRun(thread.id, {}, new AbortController().signal));
    const [answer] = await fixture.engine.listMessages(thread.id, { order: 'desc', limit: 1 });
    expect(answer && textOf(answer)?.value).toBe(noKnowledgeBaseText);
  });

  it('cancels on abort: partial message kept as incomplete, then thread.run.cancelled ends the stream', async () => {
    const thread = await askInThread(
      'What are the rules for meals, hotels, receipts and flights when travelling?',
    );
    const controller = new AbortController();
    const events: AssistantStreamEvent[] = [];
    for await (const event of fixture.engine.streamRun(thread.id, {}, controller.signal)) {
      events.push(event);
      if (event.event === 'thread.message.delta') controller.abort();
    }
    const names = events.map((event) => event.event);
    expect(names.slice(-4)).toEqual([
      'thread.run.cancelling',
      'thread.message.incomplete',
      'thread.run.step.cancelled',
      'thread.run.cancelled',
    ]);
    const [answer] = await fixture.engine.listMessages(thread.id, { order: 'desc', limit: 1 });
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'incomplete',
      incomplete_details: { reason: 'run_cancelled' },
    });
    const partial = answer ? textOf(answer)?.value : '';
    expect(partial?.length).toBeGreaterThan(0);
    expect(partial).not.toContain('receipts');
    // The thread is free again.
    await expect(fixture.engine.appendMessage(thread.id, { content: 'next' })).resolves.toMatchObject({
      role: 'user',
    });
  });

  it('refuses to append or start a run while a run is active, with OpenAI’s messages', async () => {
    const thread = await askInThread('How much are meals reimbursed per day?');
    const { run } = await fixture.engine.startRun(thread.id, {}, false);
    const append = fixture.engine.appendMessage(thread.id, { content: 'another question' });
    await expect(append).rejects.toBeInstanceOf(AppError);
    await expect(append).rejects.toMatchObject({
      code: 'thread_busy',
      statusCode: 400,
      message: `Can't add messages to ${thread.id} while a run ${run.id} is active.`,
    });
    await expect(fixture.engine.startRun(thread.id, {}, false)).rejects.toThrow(
      `Thread ${thread.id} already has an active run ${run.id}.`,
    );
    await fixture.engine.cancelActiveRuns(thread.id);
    expect(['cancelled', 'completed']).toContain((await fixture.engine.getRun(thread.id, run.id)).status);
    await expect(fixture.engine.appendMessage(thread.id, { content: 'now it works' })).resolves.toBeTruthy();
  });

  it('starts one run when two requests start one on the same idle thread at once', async () => {
    const thread = await askInThread('How much are meals reimbursed per day?');
    // Both pass the "no active run" check before either has stored its run (a double-clicked
    // Send, two clients): the database's one-active-run index decides, as OpenAI answers.
    const outcomes = await Promise.allSettled([
      fixture.engine.startRun(thread.id, {}, false),
      fixture.engine.startRun(thread.id, {}, false),
    ]);
    const started = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const refused = outcomes.filter((outcome) => outcome.status === 'rejected');
    expect(started).toHaveLength(1);
    expect(refused[0]?.reason).toMatchObject({ code: 'thread_busy', statusCode: 400 });
    expect((refused[0]?.reason as Error).message).toMatch(/already has an active run/);
    await fixture.engine.cancelActiveRuns(thread.id);
  });

  it('rejects cancelling a finished run the way OpenAI did', async () => {
    const thread = await askInThread('How much are meals reimbursed per day?');
    const { run } = await fixture.engine.startRun(thread.id, {}, false);
    await fixture.engine.settle(run.id);
    await expect(fixture.engine.cancelRun(thread.id, run.id)).rejects.toThrow(
      "Cannot cancel run with status 'completed'.",
    );
  });

  it('keeps state across restarts and fails runs a crash left active', async () => {
    const thread = await askInThread('How much are meals reimbursed per day?');
    const { run } = await fixture.engine.startRun(thread.id, {}, false);
    await fixture.engine.settle(run.id);
    // Simulate a crash mid-run: the stored run and its last step still say in_progress.
    const stored = await fixture.engine.getRun(thread.id, run.id);
    await fixture.engine.store.runs.update({ ...stored, status: 'in_progress', completed_at: null });
    const [lastStep] = (await fixture.engine.listSteps(thread.id, run.id, { limit: 1, order: 'desc' })).data;
    if (lastStep) await fixture.engine.store.steps.update({ ...lastStep, status: 'in_progress' });
    await fixture.close();

    fixture = fixture.reopen();
    expect(await fixture.engine.getThread(thread.id)).toMatchObject({
      id: thread.id,
      tool_resources: { file_search: { vector_store_ids: [fixture.vectorStoreId] } },
    });
    const messages = await fixture.engine.listMessages(thread.id, { order: 'asc' });
    expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
    expect(await fixture.engine.getRun(thread.id, run.id)).toMatchObject({
      status: 'failed',
      last_error: { code: 'server_error' },
    });
    expect(
      (await fixture.engine.listSteps(thread.id, run.id, { limit: 10, order: 'desc' })).data[0]?.status,
    ).toBe('failed');
    await expect(fixture.engine.appendMessage(thread.id, { content: 'after restart' })).resolves.toBeTruthy();
  });
});
