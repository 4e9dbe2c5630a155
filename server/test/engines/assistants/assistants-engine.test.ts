import type { AssistantStreamEvent } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import OpenAI from 'openai';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { AssistantsEngine } from '../../../src/engines/assistants/assistants-engine.js';
import type { KnowledgeBase } from '../../../src/engines/local/knowledge/knowledge-base.js';
import type { LocalEngine } from '../../../src/engines/local/local-engine.js';
import {
  assistantsStreamProblems,
  finalMessage,
  streamedText,
  textOf,
} from '../../helpers/assistants-stream-checks.js';
import { handbook, security } from '../../helpers/local-engine-fixture.js';
import { createMockLlm, mockLlmBaseUrl, slowWords } from '../../helpers/mock-llm.js';
import { testConfig } from '../../helpers/test-config.js';

async function collect(stream: AsyncIterable<AssistantStreamEvent>): Promise<AssistantStreamEvent[]> {
  const events: AssistantStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe('AssistantsEngine over real HTTP against Threadline’s own /v1', () => {
  const config = testConfig({ LLM_BASE_URL: mockLlmBaseUrl, LLM_MODEL: 'slow-model' });
  // The only outside party: a model still typing, one word every 15 ms (for cancellation).
  const mockServer = createMockLlm();
  mockServer.script(slowWords());
  let app: FastifyInstance;
  let baseURL: string;
  let vectorStoreId: string;
  let engine: AssistantsEngine;
  let sdk: OpenAI;

  beforeAll(async () => {
    mockServer.listen();
    app = await buildApp(config, { logger: false });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
    // The served app runs the local engine; its knowledge base is filled in-process.
    const local = app.engine as LocalEngine<KnowledgeBase>;
    const store = await local.vectorStores.create({ name: 'Handbooks' });
    await local.vectorStores.addFile(store.id, { fileName: 'travel.md', bytes: Buffer.from(handbook) });
    await local.vectorStores.addFile(store.id, { fileName: 'security.md', bytes: Buffer.from(security) });
    await local.knowledge.waitForIngestion(store.id);
    vectorStoreId = store.id;
    // The extractive model (ASSISTANTS_MODEL), whose quoted answers this suite checks; unnamed, the
    // assistant would take the server's model that writes (the mock LLM, typing slowly).
    engine = new AssistantsEngine({
      baseURL,
      model: 'gpt-4.1-mini',
      assistantModel: 'threadline-extractive',
      maxNumResults: 20,
      cancelGraceMs: 2000,
    });
    sdk = new OpenAI({ baseURL, apiKey: 'test', maxRetries: 0 });
  });

  afterAll(async () => {
    await engine.close();
    await app.close();
    mockServer.close();
    config.cleanup();
  });

  it('streams a cited answer in OpenAI’s order, creating one Threadline assistant on first use', async () => {
    const thread = await engine.createThread({
      vectorStoreIds: [vectorStoreId],
      metadata: { topic: 'travel' },
    });
    expect(thread).toMatchObject({
      object: 'thread',
      metadata: { topic: 'travel' },
      tool_resources: { file_search: { vector_store_ids: [vectorStoreId] } },
    });
    const message = await engine.appendMessage(thread.id, {
      content: 'How much are meals reimbursed per day?',
    });
    expect(message).toMatchObject({ role: 'user', thread_id: thread.id });

    const events = await collect(engine.streamRun(thread.id, {}, new AbortController().signal));
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(events.at(-1)?.event).toBe('thread.run.completed');
    const answer = finalMessage(events);
    const text = textOf(answer);
    expect(text).toContain('60 euros per day');
    expect([...streamedText(events).values()]).toEqual([text]);
    const annotations = answer?.content[0]?.type === 'text' ? answer.content[0].text.annotations : [];
    expect(annotations.length).toBeGreaterThan(0);
    for (const annotation of annotations)
      expect(text.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);

    // A second run reuses the assistant made on first use.
    await engine.appendMessage(thread.id, { content: 'And hotels?' });
    await collect(engine.streamRun(thread.id, {}, new AbortController().signal));
    const ours = (await sdk.beta.assistants.list({ limit: 100 })).data.filter(
      (assistant) => assistant.metadata?.['threadline'] === 'default',
    );
    expect(ours).toHaveLength(1);
    // Made on the model ASSISTANTS_MODEL names.
    expect(ours[0]).toMatchObject({ model: 'threadline-extractive', tools: [{ type: 'file_search' }] });
  });

  it('puts run-level vector stores on the thread, since Assistants runs cannot name them', async () => {
    const thread = await engine.createThread({});
    await engine.appendMessage(thread.id, { content: 'How long must passwords be?' });
    const events = await collect(
      engine.streamRun(thread.id, { vectorStoreIds: [vectorStoreId] }, new AbortController().signal),
    );
    expect(textOf(finalMessage(events))).toContain('sixteen characters');
    expect((await engine.getThread(thread.id))?.tool_resources).toEqual({
      file_search: { vector_store_ids: [vectorStoreId] },
    });
    const messages = await engine.listMessages(thread.id);
    expect(messages.map((item) => item.role)).toEqual(['user', 'assistant']);
  });

  it('on abort cancels the run on the server and relays its cancellation events', async () => {
    const thread = await engine.createThread({ vectorStoreIds: [vectorStoreId] });
    await engine.appendMessage(thread.id, { content: 'What is the hotel cap per night?' });
    const controller = new AbortController();
    const events: AssistantStreamEvent[] = [];
    let abortedAt = 0;
    for await (const event of engine.streamRun(thread.id, { model: 'slow-model' }, controller.signal)) {
      events.push(event);
      if (event.event === 'thread.message.delta' && !controller.signal.aborted) {
        abortedAt = performance.now();
        controller.abort();
      }
    }
    const cancelMs = performance.now() - abortedAt;
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(events.map((event) => event.event)).toContain('thread.message.incomplete');
    expect(events.at(-1)?.event).toBe('thread.run.cancelled');
    expect(cancelMs).toBeLessThan(1000);
    const [, answer] = await engine.listMessages(thread.id);
    expect(answer).toMatchObject({
      role: 'assistant',
      status: 'incomplete',
      incomplete_details: { reason: 'run_cancelled' },
    });
    // The thread takes messages again.
    await expect(engine.appendMessage(thread.id, { content: 'ok' })).resolves.toMatchObject({ role: 'user' });
  });

  it('cancelActiveRuns stops runs this process streams and runs started elsewhere', async () => {
    const thread = await engine.createThread({ vectorStoreIds: [vectorStoreId] });
    await engine.appendMessage(thread.id, { content: 'Tell me about flights.' });
    const run = engine.streamRun(thread.id, { model: 'slow-model' }, new AbortController().signal);
    const iterator = run[Symbol.asyncIterator]();
    const events: AssistantStreamEvent[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      events.push(next.value);
      if (next.value.event === 'thread.message.delta') break;
    }
    await engine.cancelActiveRuns(thread.id);
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) events.push(next.value);
    expect(events.at(-1)?.event).toBe('thread.run.cancelled');
    expect(assistantsStreamProblems(events)).toEqual([]);

    // A run somebody else started (not streamed here) is found by listing runs.
    const assistant = await sdk.beta.assistants.create({
      model: 'slow-model',
      tools: [{ type: 'file_search' }],
    });
    await sdk.beta.threads.messages.create(thread.id, { role: 'user', content: 'What about hotel stays?' });
    const foreign = await sdk.beta.threads.runs.create(thread.id, { assistant_id: assistant.id });
    expect(foreign.status).toMatch(/^(queued|in_progress)$/);
    await engine.cancelActiveRuns(thread.id);
    const after = await sdk.beta.threads.runs.retrieve(foreign.id, { thread_id: thread.id });
    expect(after.status).toBe('cancelled');
    await expect(engine.appendMessage(thread.id, { content: 'next question' })).resolves.toMatchObject({
      role: 'user',
    });
  });

  it('fails before the first event with the mapped error for an unknown thread', async () => {
    await expect(
      collect(engine.streamRun('thread_missing', {}, new AbortController().signal)),
    ).rejects.toMatchObject({
      statusCode: 404,
      code: 'not_found',
    });
    await expect(engine.getThread('thread_missing')).resolves.toBeNull();
  });

  it('manages vector stores and files through /v1/vector_stores and /v1/files', async () => {
    const store = await engine.vectorStores.create({ name: 'Engine-made' });
    expect(store).toMatchObject({ name: 'Engine-made', fileCounts: { total: 0 } });
    const added = await engine.vectorStores.addFile(store.id, {
      fileName: 'remote.md',
      bytes: Buffer.from(
        '# Remote work\n\nRemote work is allowed three days per week with manager approval.\n',
      ),
      contentType: 'text/markdown',
    });
    expect(added).toMatchObject({ vectorStoreId: store.id, fileName: 'remote.md' });
    await expect
      .poll(async () => (await engine.vectorStores.getFile(store.id, added.id))?.status, { timeout: 10_000 })
      .toBe('completed');
    expect((await engine.vectorStores.listFiles(store.id)).map((file) => file.fileName)).toEqual([
      'remote.md',
    ]);
    expect((await engine.vectorStores.list()).map((item) => item.id)).toContain(store.id);
    const hits = await engine.vectorStores.search([store.id, vectorStoreId], {
      query: 'How many days of remote work?',
      maxNumResults: 3,
    });
    expect(hits[0]).toMatchObject({ fileId: added.id, fileName: 'remote.md' });
    expect(hits[0]?.text).toContain('three days per week');
    await expect(engine.files.get(added.id)).resolves.toMatchObject({ fileName: 'remote.md' });
    expect((await engine.files.content(added.id))?.toString()).toContain('Remote work is allowed');
    await expect(engine.vectorStores.removeFile(store.id, added.id)).resolves.toBe(true);
    await expect(engine.vectorStores.getFile(store.id, added.id)).resolves.toBeNull();
    await expect(engine.files.delete(added.id)).resolves.toBe(true);
    await expect(engine.files.get(added.id)).resolves.toBeNull();
    await expect(engine.vectorStores.delete(store.id)).resolves.toBe(true);
    await expect(engine.vectorStores.get(store.id)).resolves.toBeNull();
  });

  it('deletes threads, lists models and reports health', async () => {
    const thread = await engine.createThread({});
    await expect(engine.deleteThread(thread.id)).resolves.toBe(true);
    await expect(engine.deleteThread(thread.id)).resolves.toBe(false);
    const models = await engine.listModels();
    expect(models.map((model) => model.id)).toContain('threadline-extractive');
    await expect(engine.health()).resolves.toEqual({ reachable: true });
  });

  // Last: it moves the assistant the other tests use to another model.
  it('without ASSISTANTS_MODEL, answers with the model that writes: the assistant made on the extractive one moves to it', async () => {
    const auto = new AssistantsEngine({ baseURL, model: 'gpt-4.1-mini', maxNumResults: 20 });
    try {
      expect(await auto.assistant()).toMatchObject({
        model: 'slow-model',
        reason: 'first model that writes answers',
      });
      const ours = (await sdk.beta.assistants.list({ limit: 100 })).data.filter(
        (assistant) => assistant.metadata?.['threadline'] === 'default',
      );
      expect(ours.map((assistant) => assistant.model)).toEqual(['slow-model']);
      // /v1/models says which model writes, so no name is matched.
      const listed = await auto.listModels();
      expect(listed.map((model) => [model.id, model.answerKind])).toEqual([
        ['threadline-extractive', 'extractive'],
        ['slow-model', 'generative'],
      ]);
    } finally {
      await auto.close();
    }
  });
});

describe('AssistantsEngine health without a server', () => {
  it('reports unreachable instead of throwing', async () => {
    const engine = new AssistantsEngine({ baseURL: 'http://127.0.0.1:9/v1', model: 'x', maxNumResults: 5 });
    await expect(engine.health()).resolves.toMatchObject({ reachable: false });
  });
});
