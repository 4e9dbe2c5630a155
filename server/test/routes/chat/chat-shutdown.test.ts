import type { AddressInfo } from 'node:net';
import { errorBodySchema, threadMessagesSchema, type AssistantStreamEvent } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { eventNames, postJson, readEvents, waitForIngestion } from '../../helpers/chat-harness.js';
import { handbook } from '../../helpers/local-engine-fixture.js';
import { createMockLlm, mockLlmBaseUrl, slowWords, type LlmScript } from '../../helpers/mock-llm.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * Graceful shutdown mid-stream: the answer in flight gets the grace period, then is cancelled;
 * either way the client sees a clean end and the transcript keeps what was acknowledged.
 */
describe('shutdown while a stream is running', () => {
  const llm = createMockLlm();
  beforeAll(() => llm.listen());
  afterAll(() => llm.close());

  async function startApp(graceMs: number) {
    const config = testConfig({ LLM_BASE_URL: mockLlmBaseUrl, SHUTDOWN_GRACE_MS: String(graceMs) });
    const app = await buildApp(config, { logger: false });
    const store = await app.engine.vectorStores.create({ name: 'Handbook' });
    await app.engine.vectorStores.addFile(store.id, { fileName: 'travel.md', bytes: Buffer.from(handbook) });
    await waitForIngestion(app, store.id);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    return { app, config, url, vectorStoreId: store.id };
  }

  async function transcriptAfterRestart(config: ReturnType<typeof testConfig>, threadId: string) {
    const reopened = await buildApp(config, { logger: false });
    try {
      const response = await reopened.inject({ method: 'GET', url: `/threads/${threadId}/messages` });
      expect(response.statusCode).toBe(200);
      return threadMessagesSchema.parse(response.json()).data;
    } finally {
      await reopened.close();
      config.cleanup();
    }
  }

  async function streamThenClose(graceMs: number, script: LlmScript) {
    llm.script(script);
    const { app, config, url, vectorStoreId } = await startApp(graceMs);
    const response = await postJson(`${url}/chat/stream`, {
      content: 'How much are meals reimbursed?',
      vectorStoreIds: [vectorStoreId],
    });
    const events: AssistantStreamEvent[] = [];
    let closing: Promise<void> | undefined;
    for await (const event of readEvents(response)) {
      events.push(event);
      if (event.event === 'thread.message.delta' && !closing) closing = app.close();
    }
    await closing;
    const threadId = response.headers.get('x-thread-id') ?? '';
    return { events, transcript: await transcriptAfterRestart(config, threadId) };
  }

  it('lets an answer that ends within the grace period complete', async () => {
    const { events, transcript } = await streamThenClose(5000, {
      tokens: ['Meals ', 'are ', 'reimbursed ', 'up to 60 euros [1].'],
      delayMs: 60,
    });
    expect(eventNames(events).slice(-2)).toEqual(['thread.run.completed', 'done']);
    expect(transcript.map((message) => [message.role, message.runStatus])).toEqual([
      ['user', null],
      ['assistant', 'completed'],
    ]);
    expect(transcript[1]?.text).toContain('60 euros');
  });

  it('cancels an answer still running when the grace period ends and keeps the partial text', async () => {
    const started = Date.now();
    const { events, transcript } = await streamThenClose(300, slowWords(200, 50));
    expect(Date.now() - started).toBeLessThan(8000);
    expect(eventNames(events).slice(-2)).toEqual(['thread.run.cancelled', 'done']);
    const assistant = transcript.find((message) => message.role === 'assistant');
    expect(assistant?.runStatus).toBe('cancelled');
    expect(assistant?.text).toMatch(/^word0 /);
    expect(assistant?.text).not.toContain('word199');
  });

  it('answers requests arriving while it closes with 503 in the one error shape', async () => {
    llm.script(slowWords(200, 50));
    const { app, config, url, vectorStoreId } = await startApp(1500);
    const response = await postJson(`${url}/chat/stream`, {
      content: 'Meals?',
      vectorStoreIds: [vectorStoreId],
    });
    const reading = (async () => {
      for await (const event of readEvents(response)) void event;
    })();
    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = app.close();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const late = await fetch(`${url}/models`);
    expect(late.status).toBe(503);
    expect(errorBodySchema.parse(await late.json())).toMatchObject({
      statusCode: 503,
      code: 'shutting_down',
    });
    await reading;
    await closing;
    config.cleanup();
  });
});
