import type { AddressInfo } from 'node:net';
import {
  decodeNdjson,
  decodeSse,
  NdjsonDecoder,
  SseDecoder,
  type AssistantStreamEvent,
  type IdentifiedEvent,
} from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { localUserId } from '../../src/common/local-user.js';
import { buildTestApp } from './test-app.js';
import { handbook, security } from './local-engine-fixture.js';
import { testConfig } from './test-config.js';

export type ChatHarness = {
  app: FastifyInstance;
  vectorStoreId: string;
  /** Base URL once `listen()` has been called. */
  baseUrl: () => string;
  listen: () => Promise<string>;
  close: () => Promise<void>;
};

/**
 * The real app (local engine, SQLite in a temp dir) with a vector store holding two handbooks,
 * owned by `storeOwner` (the local user of the auth-off default unless told otherwise).
 */
export async function createChatHarness(
  environment: Record<string, string> = {},
  storeOwner = localUserId,
): Promise<ChatHarness> {
  const { app, close } = await buildTestApp(testConfig(environment));
  const store = await app.engine.vectorStores.create({ name: 'Handbooks' });
  await app.ownership.record('vector_store', store.id, storeOwner);
  await app.engine.vectorStores.addFile(store.id, { fileName: 'travel.md', bytes: Buffer.from(handbook) });
  await app.engine.vectorStores.addFile(store.id, { fileName: 'security.md', bytes: Buffer.from(security) });
  await waitForIngestion(app, store.id);
  let url = '';
  return {
    app,
    vectorStoreId: store.id,
    baseUrl: () => url,
    listen: async () => {
      await app.listen({ port: 0, host: '127.0.0.1' });
      url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
      return url;
    },
    close,
  };
}

export async function waitForIngestion(app: FastifyInstance, vectorStoreId: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const files = await app.engine.vectorStores.listFiles(vectorStoreId);
    if (files.every((file) => file.status !== 'in_progress')) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error('ingestion did not finish');
}

export const eventNames = (events: readonly AssistantStreamEvent[]) => events.map((event) => event.event);

/** Decodes a whole response body in the framing its content type names. */
export function decodeBody(contentType: unknown, body: string): AssistantStreamEvent[] {
  return String(contentType).startsWith('application/x-ndjson') ? decodeNdjson(body) : decodeSse(body);
}

/** Waits until `check` holds (polling), for effects of background work such as recording. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 5000,
  label = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${label} not met in time`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Reads a fetch response's body event by event, in the framing its content type names. */
export async function* readEvents(response: Response): AsyncGenerator<AssistantStreamEvent> {
  const isNdjson = response.headers.get('content-type')?.startsWith('application/x-ndjson') ?? false;
  const decoder = isNdjson ? new NdjsonDecoder() : new SseDecoder();
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (!reader) return;
  const text = new TextDecoder();
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    yield* decoder.push(text.decode(value, { stream: true }));
  }
  yield* decoder.end();
}

/** As readEvents, each event with the id its frame carried (SSE `id:` line or NDJSON `id` field). */
export async function* readIdentifiedEvents(response: Response): AsyncGenerator<IdentifiedEvent> {
  const isNdjson = response.headers.get('content-type')?.startsWith('application/x-ndjson') ?? false;
  const decoder = isNdjson ? new NdjsonDecoder() : new SseDecoder();
  const reader: ReadableStreamDefaultReader<Uint8Array> | undefined = response.body?.getReader();
  if (!reader) return;
  const text = new TextDecoder();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* decoder.pushWithIds(text.decode(value, { stream: true }));
    }
    yield* decoder.endWithIds();
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** POSTs JSON to the listening app. */
export const postJson = (
  url: string,
  body: object,
  init: { headers?: Record<string, string>; signal?: AbortSignal } = {},
) =>
  fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...init.headers },
    body: JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
