import {
  apiPaths,
  assistantSchema,
  errorBodySchema,
  legacyAssistantCreatedSchema,
  legacyFileListSchema,
  legacyThreadCreatedSchema,
  runSchema,
  type AssistantStreamEvent,
} from '@threadline/shared';
import { AssistantStream } from 'openai/lib/AssistantStream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { defaultAssistantId } from '../../../src/engines/local/threads/local-assistants.js';
import { LocalEngine } from '../../../src/engines/local/local-engine.js';
import { testConfig } from '../../helpers/test-config.js';
import {
  createChatHarness,
  eventNames,
  postJson,
  readEvents,
  type ChatHarness,
} from '../../helpers/chat-harness.js';
import { createMockLlm, mockLlmBaseUrl } from '../../helpers/mock-llm.js';

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

const localEngine = (harness: ChatHarness) => {
  if (!(harness.app.engine instanceof LocalEngine)) throw new Error('expected the local engine');
  return harness.app.engine;
};

describe('the legacy assistant (POST /api/assistants, and which assistant legacy runs use)', () => {
  const llm = createMockLlm();
  const alice = { authorization: 'Bearer sk-legacy-alice' };
  const bob = { authorization: 'Bearer sk-legacy-bob' };
  let harness: ChatHarness;
  beforeAll(async () => {
    llm.listen();
    harness = await createChatHarness({
      LLM_BASE_URL: mockLlmBaseUrl,
      AUTH_TOKENS: 'sk-legacy-alice=alice,sk-legacy-bob=bob',
    });
  });
  afterAll(async () => {
    await harness.close();
    llm.close();
  });

  const inject = (method: 'POST' | 'DELETE' | 'GET', url: string, headers: object, payload?: object) =>
    harness.app.inject({ method, url, headers: { ...headers }, ...(payload ? { payload } : {}) });
  /** One legacy message on a new thread; what the run was and which functions the model was offered. */
  const legacyRun = async (headers: object) => {
    llm.script({ tokens: ['Done.'] });
    const thread = await inject('POST', apiPaths.legacy.threads, headers);
    const { threadId } = legacyThreadCreatedSchema.parse(thread.json());
    const sent = llm.requests.length;
    const streamed = await inject('POST', apiPaths.legacy.messages(threadId), headers, {
      content: 'Weather?',
    });
    expect(streamed.statusCode).toBe(200);
    const offered = z
      .object({ tools: z.array(z.object({ function: z.object({ name: z.string() }) })).optional() })
      // No request at all when there was neither a passage nor a function to answer with.
      .parse(llm.requests[sent] ?? {});
    return {
      // From the engine: /v1 shows legacy threads only to the local user (they record their
      // owner in metadata, not in /v1's owner column).
      assistantIds: (await localEngine(harness).listRuns(threadId, { limit: 10, order: 'asc' })).data.map(
        (run) => run.assistant_id,
      ),
      functions: (offered.tools ?? []).map((tool) => tool.function.name),
    };
  };

  it('runs with the built-in assistant until the caller makes one, then with the last one they made', async () => {
    expect(await legacyRun(alice)).toEqual({ assistantIds: [defaultAssistantId], functions: [] });
    const first = await inject('POST', apiPaths.legacy.assistants, alice);
    expect(first.statusCode).toBe(200);
    const second = await inject('POST', apiPaths.legacy.assistants, alice, {
      name: 'Lookup',
      tools: [{ type: 'function', function: { name: 'lookup_order' } }, { type: 'code_interpreter' }],
    });
    const { assistantId } = legacyAssistantCreatedSchema.parse(second.json());
    expect(assistantId).not.toBe(legacyAssistantCreatedSchema.parse(first.json()).assistantId);
    expect(await legacyRun(alice)).toEqual({ assistantIds: [assistantId], functions: ['lookup_order'] });
    // Another user's runs keep the built-in assistant, and cannot see alice's.
    expect(await legacyRun(bob)).toEqual({ assistantIds: [defaultAssistantId], functions: [] });
    expect((await inject('GET', `/v1/assistants/${assistantId}`, bob)).statusCode).toBe(404);

    // Deleted through /v1: back to the built-in assistant.
    expect((await inject('DELETE', `/v1/assistants/${assistantId}`, alice)).statusCode).toBe(200);
    expect(await legacyRun(alice)).toEqual({ assistantIds: [defaultAssistantId], functions: [] });
  });

  it('makes the quickstart’s assistant from an empty body, with the engine’s model', async () => {
    const created = await harness.app.inject({
      method: 'POST',
      url: apiPaths.legacy.assistants,
      headers: { ...bob, 'content-type': 'application/json' },
      payload: '',
    });
    const { assistantId } = legacyAssistantCreatedSchema.parse(created.json());
    const assistant = assistantSchema.parse(
      (await inject('GET', `/v1/assistants/${assistantId}`, bob)).json(),
    );
    expect(assistant).toMatchObject({
      name: 'Quickstart Assistant',
      instructions: 'You are a helpful assistant.',
      model: localEngine(harness).defaultModel,
    });
    expect(
      assistant.tools.map((tool) => (tool.type === 'function' ? tool.function.name : tool.type)),
    ).toEqual(['code_interpreter', 'get_weather', 'file_search']);
  });

  it('refuses tools of unknown types and bad fields with 400 in the one error shape', async () => {
    for (const payload of [{ tools: [{ type: 'retrieval' }] }, { model: '' }, { instructions: 7 }]) {
      const response = await inject('POST', apiPaths.legacy.assistants, alice, payload);
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(errorBodySchema.parse(response.json()).code).toBe('validation_failed');
    }
  });
});

describe('LEGACY_ASSISTANT_ID', () => {
  const llm = createMockLlm();
  beforeAll(() => llm.listen());
  afterAll(() => llm.close());

  it('pins the assistant of every legacy run, whoever made which', async () => {
    const harness = await createChatHarness({
      LLM_BASE_URL: mockLlmBaseUrl,
      LEGACY_ASSISTANT_ID: defaultAssistantId,
    });
    try {
      llm.script({ tokens: ['Done.'] });
      expect((await harness.app.inject({ method: 'POST', url: apiPaths.legacy.assistants })).statusCode).toBe(
        200,
      );
      const thread = await harness.app.inject({ method: 'POST', url: apiPaths.legacy.threads });
      const { threadId } = legacyThreadCreatedSchema.parse(thread.json());
      const sent = llm.requests.length;
      const streamed = await harness.app.inject({
        method: 'POST',
        url: apiPaths.legacy.messages(threadId),
        payload: { content: 'Meals?' },
      });
      expect(streamed.statusCode).toBe(200);
      expect(z.object({ tools: z.unknown().optional() }).parse(llm.requests[sent]).tools).toBeUndefined();
      const runs = await harness.app.inject({ method: 'GET', url: `/v1/threads/${threadId}/runs` });
      expect(z.object({ data: z.array(runSchema) }).parse(runs.json()).data[0]?.assistant_id).toBe(
        defaultAssistantId,
      );
    } finally {
      await harness.close();
    }
  });

  it('answers 404 naming the setting when the pinned assistant does not exist', async () => {
    const harness = await createChatHarness({ LEGACY_ASSISTANT_ID: 'asst_gone' });
    try {
      const thread = await harness.app.inject({ method: 'POST', url: apiPaths.legacy.threads });
      const { threadId } = legacyThreadCreatedSchema.parse(thread.json());
      const response = await harness.app.inject({
        method: 'POST',
        url: apiPaths.legacy.messages(threadId),
        payload: { content: 'Meals?' },
      });
      expect(response.statusCode).toBe(404);
      expect(errorBodySchema.parse(response.json()).message).toMatch(
        /LEGACY_ASSISTANT_ID names assistant asst_gone/,
      );
      // Refused before the message was added.
      expect(await harness.app.engine.listMessages(threadId)).toEqual([]);
    } finally {
      await harness.close();
    }
  });

  it('needs the local engine, and POST /api/assistants says so on the others', async () => {
    expect(() =>
      loadConfig({ ENGINE: 'openai', OPENAI_API_KEY: 'sk-test', LEGACY_ASSISTANT_ID: 'asst_x' }),
    ).toThrow(/LEGACY_ASSISTANT_ID.*ENGINE=local/);
    const config = testConfig({
      ENGINE: 'openai',
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: 'http://openai.test/v1',
    });
    const app = await buildApp(config, { logger: false });
    try {
      const response = await app.inject({ method: 'POST', url: apiPaths.legacy.assistants });
      expect(response.statusCode).toBe(400);
      expect(errorBodySchema.parse(response.json()).message).toMatch(
        /kept by the local engine; this server runs "openai"/,
      );
    } finally {
      await app.close();
      config.cleanup();
    }
  });
});
