import {
  apiPaths,
  errorBodySchema,
  legacyFileListSchema,
  legacyThreadCreatedSchema,
  type AssistantStreamEvent,
} from '@threadline/shared';
import { AssistantStream } from 'openai/lib/AssistantStream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createChatHarness,
  eventNames,
  postJson,
  readEvents,
  type ChatHarness,
} from './helpers/chat-harness.js';
import { createMockLlm, mockLlmBaseUrl } from './helpers/mock-llm.js';

describe('legacy quickstart routes (the migration baseline)', () => {
  const llm = createMockLlm();
  let harness: ChatHarness;
  let base: string;
  beforeAll(async () => {
    llm.listen();
    harness = await createChatHarness({ LLM_BASE_URL: mockLlmBaseUrl });
    base = await harness.listen();
  });
  afterAll(async () => {
    await harness.close();
    llm.close();
  });

  const newThread = async () => {
    const response = await fetch(`${base}${apiPaths.legacy.threads}`, { method: 'POST' });
    expect(response.status).toBe(200);
    return legacyThreadCreatedSchema.parse(await response.json()).threadId;
  };
  const collect = async (response: Response) => {
    const events: AssistantStreamEvent[] = [];
    for await (const event of readEvents(response)) events.push(event);
    return events;
  };

  it('streams a run as NDJSON that AssistantStream reads, without persisting anything', async () => {
    llm.script({ tokens: ['Meals: ', '60 euros a day [1].'] });
    const threadId = await newThread();
    const response = await postJson(`${base}${apiPaths.legacy.messages(threadId)}`, {
      content: 'How much are meals reimbursed?',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    if (!response.body) throw new Error('no body');
    const stream = AssistantStream.fromReadableStream(response.body);
    const events: string[] = [];
    stream.on('event', (event) => events.push(event.event));
    let text = '';
    stream.on('textDelta', (delta) => (text += delta.value ?? ''));
    expect((await stream.finalRun()).status).toBe('completed');
    expect(text).toMatch(/^Meals: 60 euros a day/);
    expect(events[0]).toBe('thread.run.created');
    expect(events).not.toContain('done');
    expect(await harness.app.recorder.findThreadOwner(threadId)).toBeNull();
    expect(await harness.app.transcripts.listMessages('local', threadId)).toEqual([]);
  });

  it('does not cancel an active run: a concurrent send gets the engine active-run error', async () => {
    llm.script({ tokens: Array.from({ length: 100 }, (_, index) => `w${index} `), delayMs: 10 });
    const threadId = await newThread();
    const controller = new AbortController();
    const first = await postJson(
      `${base}${apiPaths.legacy.messages(threadId)}`,
      { content: 'Meals?' },
      { signal: controller.signal },
    );
    const reader = readEvents(first);
    for (let next = await reader.next(); !next.done; next = await reader.next()) {
      if (next.value.event === 'thread.message.delta') break;
    }
    const second = await postJson(`${base}${apiPaths.legacy.messages(threadId)}`, { content: 'Hotels?' });
    expect(second.status).toBe(400);
    const body = errorBodySchema.parse(await second.json());
    expect(body.code).toBe('thread_busy');
    expect(body.message).toMatch(/while a run .* is active/);
    controller.abort();
  });

  it('continues a run through /actions with tool outputs', async () => {
    const threadId = await newThread();
    await harness.app.engine.appendMessage(threadId, { content: 'Weather in Paris?' });
    llm.script({ toolCall: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
    const tools = [{ type: 'function' as const, function: { name: 'get_weather' } }];
    const paused: AssistantStreamEvent[] = [];
    for await (const event of harness.app.engine.streamRun(
      threadId,
      { tools, vectorStoreIds: [harness.vectorStoreId] },
      new AbortController().signal,
    ))
      paused.push(event);
    const action = paused.at(-1);
    if (action?.event !== 'thread.run.requires_action') throw new Error('expected requires_action');
    const call = action.data.required_action?.submit_tool_outputs.tool_calls[0];
    llm.script({ tokens: ['Sunny.'] });
    const response = await postJson(`${base}${apiPaths.legacy.actions(threadId)}`, {
      runId: action.data.id,
      toolCallOutputs: [{ tool_call_id: call?.id ?? '', output: 'sunny' }],
    });
    expect(response.status).toBe(200);
    expect(eventNames(await collect(response)).at(-1)).toBe('thread.run.completed');
  });

  it('answers 404 for an unknown thread and 400 for an empty message', async () => {
    const missing = await postJson(`${base}${apiPaths.legacy.messages('thread_nope')}`, { content: 'hi' });
    expect(missing.status).toBe(404);
    expect(errorBodySchema.parse(await missing.json()).code).toBe('not_found');
    const threadId = await newThread();
    const empty = await postJson(`${base}${apiPaths.legacy.messages(threadId)}`, { content: ' ' });
    expect(empty.status).toBe(400);
    expect(errorBodySchema.parse(await empty.json()).code).toBe('validation_failed');
    const noOutputs = await postJson(`${base}${apiPaths.legacy.actions(threadId)}`, {
      runId: 'run_1',
      toolCallOutputs: [],
    });
    expect(noOutputs.status).toBe(400);
  });

  it('uploads, lists, downloads and deletes files of the legacy store', async () => {
    const form = new FormData();
    form.append('file', new Blob(['# Parking\n\nVisitors park on level two.\n']), 'parking.md');
    const upload = await fetch(`${base}${apiPaths.legacy.files}`, { method: 'POST', body: form });
    expect(upload.status).toBe(200);
    const listed = legacyFileListSchema.parse(await (await fetch(`${base}${apiPaths.legacy.files}`)).json());
    const file = listed.find((entry) => entry.filename === 'parking.md');
    expect(file?.status).toMatch(/in_progress|completed/);
    const stores = await harness.app.engine.vectorStores.list();
    expect(stores.map((store) => store.name)).toContain('legacy');

    const download = await fetch(`${base}${apiPaths.legacy.file(file?.file_id ?? '')}`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toContain('filename="parking.md"');
    expect(await download.text()).toContain('Visitors park on level two.');

    const removed = await fetch(`${base}${apiPaths.legacy.files}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fileId: file?.file_id }),
    });
    expect(removed.status).toBe(200);
    const after = legacyFileListSchema.parse(await (await fetch(`${base}${apiPaths.legacy.files}`)).json());
    expect(after.some((entry) => entry.file_id === file?.file_id)).toBe(false);
    const again = await fetch(`${base}${apiPaths.legacy.files}`, {
      method: 'DELETE',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ fileId: file?.file_id }),
    });
    expect(again.status).toBe(404);
  });

  it('rejects uploads that are not multipart and downloads of unknown files', async () => {
    const notMultipart = await postJson(`${base}${apiPaths.legacy.files}`, { file: 'x' });
    expect([400, 415]).toContain(notMultipart.status);
    expect(errorBodySchema.safeParse(await notMultipart.json()).success).toBe(true);
    const unknown = await fetch(`${base}${apiPaths.legacy.file('file_nope')}`);
    expect(unknown.status).toBe(404);
  });
});
