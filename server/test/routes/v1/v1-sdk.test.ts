import { v1ErrorSchema } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import OpenAI, { toFile } from 'openai';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { handbook, security } from '../../helpers/local-engine-fixture.js';
import { createMockLlm, mockLlmBaseUrl, slowWords } from '../../helpers/mock-llm.js';
import { testConfig } from '../../helpers/test-config.js';

describe('/v1 over real HTTP with the official openai SDK', () => {
  const config = testConfig({ LLM_BASE_URL: mockLlmBaseUrl, LLM_MODEL: 'slow-model' });
  // The only outside party: a model still typing, one word every 15 ms (for cancellation).
  const mockServer = createMockLlm();
  mockServer.script(slowWords());
  let app: FastifyInstance;
  let client: OpenAI;
  let baseURL: string;
  let vectorStoreId: string;
  let assistantId: string;

  beforeAll(async () => {
    mockServer.listen();
    app = await buildApp(config, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
    client = new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 });
    const store = await client.vectorStores.create({ name: 'Handbooks' });
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(
      store.id,
      {
        files: [
          await toFile(Buffer.from(handbook), 'travel.md'),
          await toFile(Buffer.from(security), 'security.md'),
        ],
      },
      { pollIntervalMs: 20 },
    );
    expect(batch.file_counts).toMatchObject({ completed: 2, failed: 0 });
    vectorStoreId = store.id;
  });

  afterAll(async () => {
    await app.close();
    mockServer.close();
    config.cleanup();
  });

  it('lists the engine’s answerers as models', async () => {
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual(['threadline-extractive', 'slow-model']);
    await expect(client.models.retrieve('threadline-extractive')).resolves.toMatchObject({ object: 'model' });
  });

  it('creates an assistant with file_search over the vector store', async () => {
    const assistant = await client.beta.assistants.create({
      model: 'threadline-extractive',
      name: 'Handbook helper',
      tools: [{ type: 'file_search' }],
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    expect(assistant).toMatchObject({ object: 'assistant', tools: [{ type: 'file_search' }] });
    assistantId = assistant.id;
    const listed = await client.beta.assistants.list({ limit: 100 });
    expect(listed.data.map((item) => item.id)).toContain(assistantId);
  });

  it('streams a run with the AssistantStream helpers: text deltas and cited messages', async () => {
    const thread = await client.beta.threads.create();
    await client.beta.threads.messages.create(thread.id, {
      role: 'user',
      content: 'How much are meals reimbursed per day?',
    });
    const deltas: string[] = [];
    const stream = client.beta.threads.runs
      .stream(thread.id, { assistant_id: assistantId })
      .on('textDelta', (delta) => deltas.push(delta.value ?? ''));
    const done: OpenAI.Beta.Threads.Message[] = [];
    stream.on('messageDone', (message) => done.push(message));
    const run = await stream.finalRun();
    expect(run.status).toBe('completed');
    expect(run.usage?.total_tokens).toBeGreaterThan(0);
    expect(deltas.length).toBeGreaterThan(1);
    const content = done[0]?.content[0];
    if (content?.type !== 'text') throw new Error('expected a text message');
    expect(deltas.join('')).toBe(content.text.value);
    expect(content.text.value).toContain('60 euros per day');
    expect(content.text.annotations.length).toBeGreaterThan(0);
    for (const annotation of content.text.annotations) {
      if (annotation.type !== 'file_citation') throw new Error('expected file citations');
      expect(content.text.value.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);
      expect(annotation.text).toMatch(/^【\d+:\d+†travel\.md】$/);
      expect(annotation.file_citation.file_id).toMatch(/\S/);
    }
  });

  it('runs with createAndPoll and lists the answer with its steps', async () => {
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'How long must passwords be?' }],
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    const run = await client.beta.threads.runs.createAndPoll(
      thread.id,
      {
        assistant_id: assistantId,
        temperature: 0.2,
        truncation_strategy: { type: 'last_messages', last_messages: 4 },
      },
      { pollIntervalMs: 20 },
    );
    expect(run.status).toBe('completed');
    expect(run).toMatchObject({
      temperature: 0.2,
      truncation_strategy: { type: 'last_messages', last_messages: 4 },
    });
    const messages = await client.beta.threads.messages.list(thread.id);
    expect(messages.data.map((message) => message.role)).toEqual(['assistant', 'user']);
    const answer = messages.data[0]?.content[0];
    expect(answer?.type === 'text' && answer.text.value).toContain('sixteen characters');
    const steps = await client.beta.threads.runs.steps.list(run.id, { thread_id: thread.id, order: 'asc' });
    expect(steps.data.map((step) => step.type)).toEqual(['tool_calls', 'message_creation']);
    const search = steps.data[0]?.step_details;
    const results =
      search?.type === 'tool_calls' && search.tool_calls[0]?.type === 'file_search'
        ? search.tool_calls[0].file_search.results
        : [];
    expect(results?.[0]).toMatchObject({ file_name: 'security.md' });
    expect(results?.[0]?.content).toBeUndefined();
    const withContent = await client.beta.threads.runs.steps.retrieve(steps.data[0]?.id ?? '', {
      thread_id: thread.id,
      run_id: run.id,
      include: ['step_details.tool_calls[*].file_search.results[*].content'],
    });
    const detailed = withContent.step_details;
    const first =
      detailed.type === 'tool_calls' && detailed.tool_calls[0]?.type === 'file_search'
        ? detailed.tool_calls[0].file_search.results?.[0]
        : undefined;
    expect(first?.content?.[0]?.text).toContain('sixteen characters');
  });

  const toolCallEvents = (stream: ReturnType<OpenAI['beta']['threads']['runs']['stream']>, seen: string[]) =>
    stream
      .on('toolCallCreated', (call) => seen.push(`created:${call.type}:${call.id ?? ''}`))
      .on('toolCallDelta', (delta, snapshot) =>
        seen.push(
          `delta:${delta.type}:${snapshot.type === 'function' ? snapshot.function.arguments : String(snapshot.type === 'file_search' && snapshot.file_search.results?.length)}`,
        ),
      )
      .on('toolCallDone', (call) =>
        seen.push(
          `done:${call.type}:${call.type === 'function' ? `${call.function.name}${call.function.arguments}` : call.type === 'file_search' ? call.file_search.results?.[0]?.file_name : ''}`,
        ),
      );

  it('streams the file_search call through toolCallCreated, toolCallDelta and toolCallDone', async () => {
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the hotel cap per night?' }],
    });
    const seen: string[] = [];
    const run = await toolCallEvents(
      client.beta.threads.runs.stream(thread.id, { assistant_id: assistantId }),
      seen,
    ).finalRun();
    expect(run.status).toBe('completed');
    expect(seen).toEqual([
      expect.stringMatching(/^created:file_search:call_/),
      expect.stringMatching(/^delta:file_search:[1-9]/),
      'done:file_search:travel.md',
    ]);
  });

  it('streams a function call through toolCallCreated, toolCallDelta and toolCallDone, then takes its output', async () => {
    const toolAssistant = await client.beta.assistants.create({
      model: 'slow-model',
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the weather?' }],
    });
    mockServer.script({ toolCall: { name: 'get_weather', arguments: '{"city":"Oslo"}' } });
    try {
      const seen: string[] = [];
      const stream = toolCallEvents(
        client.beta.threads.runs.stream(thread.id, { assistant_id: toolAssistant.id }),
        seen,
      );
      const paused = await stream.finalRun();
      expect(paused.status).toBe('requires_action');
      const callId = paused.required_action?.submit_tool_outputs.tool_calls[0]?.id ?? '';
      expect(seen).toEqual([
        `created:function:${callId}`,
        'delta:function:{"city":"Oslo"}',
        'done:function:get_weather{"city":"Oslo"}',
      ]);
      mockServer.script({ tokens: ['It is sunny ', 'in Oslo.'] });
      const resumed = client.beta.threads.runs.submitToolOutputsStream(paused.id, {
        thread_id: thread.id,
        tool_outputs: [{ tool_call_id: callId, output: 'sunny' }],
      });
      expect((await resumed.finalRun()).status).toBe('completed');
      const [answer] = await resumed.finalMessages();
      expect(answer?.content[0]?.type === 'text' && answer.content[0].text.value).toBe(
        'It is sunny in Oslo.',
      );
    } finally {
      mockServer.script(slowWords());
    }
  });

  it('creates a thread and runs it in one streamed call, announcing the thread first', async () => {
    const events: string[] = [];
    const stream = client.beta.threads.createAndRunStream({
      assistant_id: assistantId,
      thread: {
        messages: [{ role: 'user', content: 'Within how long must a lost laptop be reported?' }],
        tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
      },
    });
    for await (const event of stream) events.push(event.event);
    expect(events[0]).toBe('thread.created');
    expect(events.at(-1)).toBe('thread.run.completed');
    const [message] = await stream.finalMessages();
    expect(message?.content[0]?.type === 'text' && message.content[0].text.value).toContain(
      'within one hour',
    );
  });

  it('cancels a run mid-stream; the partial answer stays as an incomplete message', async () => {
    const slowAssistant = await client.beta.assistants.create({
      model: 'slow-model',
      tools: [{ type: 'file_search' }],
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the hotel cap per night?' }],
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    const events: string[] = [];
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: slowAssistant.id });
    let cancelled: Promise<OpenAI.Beta.Threads.Run> | undefined;
    for await (const event of stream) {
      events.push(event.event);
      if (event.event === 'thread.message.delta' && !cancelled) {
        cancelled = client.beta.threads.runs.cancel(stream.currentRun()?.id ?? 'run_unknown', {
          thread_id: thread.id,
        });
      }
    }
    expect((await cancelled)?.status).toMatch(/^cancell(ing|ed)$/);
    expect(events.at(-1)).toBe('thread.run.cancelled');
    expect(events).toContain('thread.message.incomplete');
    const [answer] = (await client.beta.threads.messages.list(thread.id, { limit: 1 })).data;
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'incomplete',
      incomplete_details: { reason: 'run_cancelled' },
    });
    expect(answer?.content[0]?.type === 'text' && answer.content[0].text.value).toMatch(/^word0 /);
    // The thread accepts messages again.
    await expect(
      client.beta.threads.messages.create(thread.id, { role: 'user', content: 'ok' }),
    ).resolves.toBeTruthy();
  });

  it('refuses a message while a run is active with OpenAI’s error', async () => {
    const slowAssistant = await client.beta.assistants.create({ model: 'slow-model', tools: [] });
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Hello?' }] });
    const run = await client.beta.threads.runs.create(thread.id, {
      assistant_id: slowAssistant.id,
      tools: [{ type: 'function', function: { name: 'noop' } }],
    });
    const error = await client.beta.threads.messages
      .create(thread.id, { role: 'user', content: 'again' })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error).toMatchObject({
      status: 400,
      error: {
        message: `Can't add messages to ${thread.id} while a run ${run.id} is active.`,
        type: 'invalid_request_error',
        code: null,
      },
    });
    await client.beta.threads.runs.cancel(run.id, { thread_id: thread.id });
  });

  it('deletes things', async () => {
    const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'to delete' }] });
    const [message] = (await client.beta.threads.messages.list(thread.id)).data;
    await expect(
      client.beta.threads.messages.delete(message?.id ?? '', { thread_id: thread.id }),
    ).resolves.toMatchObject({ deleted: true });
    await expect(client.beta.threads.delete(thread.id)).resolves.toMatchObject({
      id: thread.id,
      deleted: true,
    });
    await expect(client.beta.threads.retrieve(thread.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    const assistant = await client.beta.assistants.create({ model: 'threadline-extractive' });
    await expect(client.beta.assistants.delete(assistant.id)).resolves.toMatchObject({ deleted: true });
    await expect(client.beta.assistants.retrieve(assistant.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers bad input to every endpoint with OpenAI-shaped 4xx errors and stays up', async () => {
    const thread = await client.beta.threads.create();
    const cases: Array<[string, string, unknown, number]> = [
      ['GET', '/models/nope', undefined, 404],
      ['POST', '/assistants', { name: 'no model' }, 400],
      ['POST', '/assistants', { model: 'm', tools: [{ type: 'unknown' }] }, 400],
      [
        'POST',
        '/assistants',
        { model: 'm', tool_resources: { file_search: { vector_store_ids: ['vs_missing'] } } },
        404,
      ],
      ['GET', '/assistants?limit=1000', undefined, 400],
      ['GET', '/assistants/asst_missing', undefined, 404],
      ['POST', '/assistants/asst_missing', { name: 'x' }, 404],
      ['DELETE', '/assistants/asst_missing', undefined, 404],
      ['POST', '/threads', { messages: [{ role: 'system', content: 'x' }] }, 400],
      ['POST', '/threads', { metadata: 'not an object' }, 400],
      ['GET', '/threads/thread_missing', undefined, 404],
      ['POST', '/threads/thread_missing', { metadata: {} }, 404],
      ['DELETE', '/threads/thread_missing', undefined, 404],
      ['POST', '/threads/runs', { thread: {} }, 400],
      ['POST', `/threads/${thread.id}/messages`, { role: 'user', content: '' }, 400],
      ['POST', '/threads/thread_missing/messages', { role: 'user', content: 'hi' }, 404],
      ['GET', `/threads/${thread.id}/messages?order=sideways`, undefined, 400],
      ['GET', `/threads/${thread.id}/messages/msg_missing`, undefined, 404],
      ['POST', `/threads/${thread.id}/runs`, {}, 400],
      ['POST', `/threads/${thread.id}/runs`, { assistant_id: 'asst_missing' }, 404],
      ['GET', `/threads/${thread.id}/runs?limit=0`, undefined, 400],
      ['GET', `/threads/${thread.id}/runs/run_missing`, undefined, 404],
      ['POST', `/threads/${thread.id}/runs/run_missing/cancel`, undefined, 404],
      ['POST', `/threads/${thread.id}/runs/run_missing/submit_tool_outputs`, { tool_outputs: [] }, 400],
      [
        'POST',
        `/threads/${thread.id}/runs/run_missing/submit_tool_outputs`,
        { tool_outputs: [{ tool_call_id: 'c', output: 'o' }] },
        404,
      ],
      ['GET', `/threads/${thread.id}/runs/run_missing/steps`, undefined, 404],
      ['GET', `/threads/${thread.id}/runs/run_missing/steps/step_missing`, undefined, 404],
      ['GET', '/nothing-here', undefined, 404],
    ];
    for (const [method, path, body, status] of cases) {
      const response = await fetch(`${baseURL}${path}`, {
        method,
        headers: {
          authorization: 'Bearer test',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      const parsed = v1ErrorSchema.safeParse(await response.json());
      expect({ method, path, status: response.status, isOpenAiShape: parsed.success }).toEqual({
        method,
        path,
        status,
        isOpenAiShape: true,
      });
    }
    const malformed = await fetch(`${baseURL}/threads`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"oops',
    });
    expect(malformed.status).toBe(400);
    expect(v1ErrorSchema.safeParse(await malformed.json()).success).toBe(true);
    await expect(client.models.list()).resolves.toBeTruthy();
  });
});
