import { readFileSync } from 'node:fs';
import {
  apiPaths,
  defaultKnowledgeBaseSchema,
  errorBodySchema,
  filePageSchema,
  knowledgeFileListSchema,
  knowledgeLimitsSchema,
  threadIdHeader,
  threadListSchema,
  vectorStoreListSchema,
  vectorStoreSummarySchema,
} from '@threadline/shared';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { noKnowledgeBaseText } from '../../../src/engines/local/answer/no-answer.js';
import { sampleStoreName } from '../../../src/knowledge/sample-knowledge-base.js';
import { finalMessage, textOf } from '../../helpers/assistants-stream-checks.js';
import { decodeBody, eventually, waitForIngestion } from '../../helpers/chat-harness.js';
import { multipartBody } from '../../helpers/multipart-body.js';
import { testConfig } from '../../helpers/test-config.js';
import { useTestApp } from '../../helpers/test-app.js';

const alice = { authorization: 'Bearer token-alice-1' };
const bob = { authorization: 'Bearer token-bob-22' };
const mongoQuestion = 'How do I store transcripts in MongoDB?';
const onboardingPdf = readFileSync(new URL('../../fixtures/knowledge/onboarding.pdf', import.meta.url));

/**
 * Each user's default knowledge base, kept on the server: a conversation that names no stores
 * searches it, so a browser that never chose a store (a second device, a second user) still gets
 * cited answers. With the sample default, it is the user's own copy of Threadline's docs.
 */
describe('the default knowledge base', () => {
  const config = testConfig({
    DEFAULT_KNOWLEDGE_BASE: 'sample',
    AUTH_TOKENS: 'token-alice-1=alice,token-bob-22=bob',
  });
  let app: FastifyInstance;
  const call = (headers: Record<string, string>, options: InjectOptions) =>
    app.inject({ ...options, headers: { ...headers, ...options.headers } });
  const ask = async (headers: Record<string, string>, payload: object) => {
    const response = await call(headers, { method: 'POST', url: apiPaths.chatStream, payload });
    expect(response.statusCode).toBe(200);
    const events = decodeBody(response.headers['content-type'], response.body);
    return { threadId: String(response.headers[threadIdHeader]), answer: finalMessage(events) };
  };
  const drained = () =>
    eventually(() => {
      const status = app.transcriptWriter.status();
      return status.depth === 0 && status.outbox === 0 ? true : undefined;
    });
  const threads = async (headers: Record<string, string>) =>
    threadListSchema.parse((await call(headers, { url: apiPaths.threads })).json()).data;
  const defaults = async (headers: Record<string, string>) =>
    defaultKnowledgeBaseSchema.parse((await call(headers, { url: apiPaths.defaultKnowledgeBase })).json());

  beforeAll(async () => {
    app = await buildApp(config, { logger: false });
  });
  afterAll(async () => {
    await app.close();
    config.cleanup();
  });

  it('answers the very first question, naming no store, from the sample, with a citation', async () => {
    const { threadId, answer } = await ask(alice, { content: mongoQuestion });
    expect(textOf(answer)).toMatch(/MONGODB_URI/);
    const citations = answer?.content.flatMap((part) => (part.type === 'text' ? part.text.annotations : []));
    expect(citations?.length).toBeGreaterThan(0);
    const [store] = (await defaults(alice)).vectorStores;
    expect(store).toMatchObject({ name: sampleStoreName });
    expect(store?.fileCounts.completed).toBeGreaterThanOrEqual(3);
    await drained();
    const thread = (await threads(alice)).find((item) => item.id === threadId);
    // The history names the store it searched, and its preview is plain words (no markers, no backticks).
    expect(thread?.vectorStoreIds).toEqual([store?.id]);
    expect(thread?.lastMessagePreview).toMatch(/MONGODB_URI/);
    expect(thread?.lastMessagePreview).not.toMatch(/[【】`]/);
  });

  it("gives every user their own copy: another's store is a 404 and never in their lists", async () => {
    const [aliceStore] = (await defaults(alice)).vectorStores;
    const [bobStore] = (await defaults(bob)).vectorStores;
    expect(bobStore?.name).toBe(sampleStoreName);
    expect(bobStore?.id).not.toBe(aliceStore?.id);
    const bobLists = vectorStoreListSchema.parse((await call(bob, { url: apiPaths.vectorStores })).json());
    expect(bobLists.data.map((store) => store.id)).toEqual([bobStore?.id]);
    const refused = await call(bob, {
      method: 'PUT',
      url: apiPaths.defaultKnowledgeBase,
      payload: { vectorStoreIds: [aliceStore?.id] },
    });
    expect(refused.statusCode).toBe(404);
    expect(errorBodySchema.parse(refused.json()).code).toBe('not_found');
    expect((await defaults(bob)).vectorStores.map((store) => store.id)).toEqual([bobStore?.id]);
  });

  it('follows the user’s choice: new conversations search the stores they set, none means none', async () => {
    const created = await call(alice, {
      method: 'POST',
      url: apiPaths.vectorStores,
      payload: { name: 'harbour' },
    });
    const harbour = vectorStoreSummarySchema.parse(created.json()).id;
    await call(alice, {
      method: 'POST',
      url: apiPaths.vectorStoreFiles(harbour),
      ...multipartBody([{ fileName: 'harbour.md', content: '# Harbour\n\nThe harbour opens at nine.\n' }]),
    });
    await waitForIngestion(app, harbour);
    const set = await call(alice, {
      method: 'PUT',
      url: apiPaths.defaultKnowledgeBase,
      payload: { vectorStoreIds: [harbour] },
    });
    expect(defaultKnowledgeBaseSchema.parse(set.json()).vectorStores.map((store) => store.name)).toEqual([
      'harbour',
    ]);
    const { answer } = await ask(alice, { content: 'When does the harbour open?' });
    expect(textOf(answer)).toMatch(/nine/);
    await call(alice, { method: 'PUT', url: apiPaths.defaultKnowledgeBase, payload: { vectorStoreIds: [] } });
    expect((await ask(alice, { content: 'When does the harbour open?' })).answer).toSatisfy(
      (message) => textOf(message as Parameters<typeof textOf>[0]) === noKnowledgeBaseText,
    );
    // A deleted default store is simply gone from the default, not an error.
    await call(alice, {
      method: 'PUT',
      url: apiPaths.defaultKnowledgeBase,
      payload: { vectorStoreIds: [harbour] },
    });
    await call(alice, { method: 'DELETE', url: apiPaths.vectorStore(harbour) });
    expect((await defaults(alice)).vectorStores).toEqual([]);
  });

  it('records the stores a conversation switches to, so the history shows what it searches', async () => {
    const [bobSample] = (await defaults(bob)).vectorStores;
    const { threadId } = await ask(bob, { content: mongoQuestion });
    const other = vectorStoreSummarySchema.parse(
      (await call(bob, { method: 'POST', url: apiPaths.vectorStores, payload: { name: 'empty' } })).json(),
    ).id;
    await ask(bob, { threadId, content: 'And SQLite?', vectorStoreIds: [bobSample?.id ?? '', other] });
    await drained();
    const thread = (await threads(bob)).find((item) => item.id === threadId);
    expect(thread).toMatchObject({ title: mongoQuestion, vectorStoreIds: [bobSample?.id, other] });
  });

  it('labels the threads of a Compare run in the history', async () => {
    const { threadId } = await ask(bob, { content: 'What is Threadline?', origin: 'compare' });
    await drained();
    expect((await threads(bob)).find((item) => item.id === threadId)?.title).toBe(
      'Compare: What is Threadline?',
    );
  });

  it('tells a client the upload limit before it sends anything', async () => {
    const limits = knowledgeLimitsSchema.parse((await call(alice, { url: apiPaths.knowledgeLimits })).json());
    expect(limits.maxUploadBytes).toBe(config.MAX_UPLOAD_BYTES);
    expect(limits.acceptedFileExtensions).toEqual(expect.arrayContaining(['.pdf', '.md']));
  });

  it('opens a cited file in the browser and finds the page of a PDF passage; only for its owner', async () => {
    const [store] = (await defaults(bob)).vectorStores;
    const uploaded = await call(bob, {
      method: 'POST',
      url: apiPaths.vectorStoreFiles(store?.id ?? ''),
      ...multipartBody([{ fileName: 'onboarding.pdf', content: onboardingPdf }]),
    });
    const pdfId = knowledgeFileListSchema.parse(uploaded.json()).data[0]?.id ?? '';
    const markdown = knowledgeFileListSchema
      .parse((await call(bob, { url: apiPaths.vectorStoreFiles(store?.id ?? '') })).json())
      .data.find((file) => file.fileName === 'docs/deployment.md');

    const pdf = await call(bob, { url: apiPaths.knowledgeFileContent(pdfId) });
    expect(pdf.statusCode).toBe(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toMatch(/^inline; filename="onboarding.pdf"/);
    expect(pdf.rawPayload.equals(onboardingPdf)).toBe(true);
    const text = await call(bob, { url: apiPaths.knowledgeFileContent(markdown?.id ?? '') });
    expect(text.headers['content-type']).toBe('text/plain; charset=utf-8');
    expect(text.body).toMatch(/MONGODB_URI/);

    const page = (fileId: string, quote: string, headers = bob) =>
      call(headers, { url: `${apiPaths.knowledgeFilePage(fileId)}?quote=${encodeURIComponent(quote)}` });
    expect(filePageSchema.parse((await page(pdfId, 'Badges are issued on the first day.')).json())).toEqual({
      page: 1,
    });
    expect(filePageSchema.parse((await page(pdfId, 'Not in this file at all.')).json())).toEqual({
      page: null,
    });
    expect(filePageSchema.parse((await page(markdown?.id ?? '', 'MONGODB_URI')).json())).toEqual({
      page: null,
    });
    expect((await page(pdfId, '')).statusCode).toBe(400);
    // Alice cannot open or probe Bob's file.
    expect((await call(alice, { url: apiPaths.knowledgeFileContent(pdfId) })).statusCode).toBe(404);
    expect((await page(pdfId, 'Badges', alice)).statusCode).toBe(404);
  });
});

describe('with DEFAULT_KNOWLEDGE_BASE=none', () => {
  const { app } = useTestApp();

  it('loads nothing: the default is empty and a question says no knowledge base is attached', async () => {
    const response = await app.inject({ url: apiPaths.defaultKnowledgeBase });
    expect(defaultKnowledgeBaseSchema.parse(response.json())).toEqual({ vectorStores: [] });
    const chat = await app.inject({
      method: 'POST',
      url: apiPaths.chatStream,
      payload: { content: mongoQuestion },
    });
    expect(textOf(finalMessage(decodeBody(chat.headers['content-type'], chat.body)))).toBe(
      noKnowledgeBaseText,
    );
    expect(
      vectorStoreListSchema.parse((await app.inject({ url: apiPaths.vectorStores })).json()).data,
    ).toEqual([]);
  });
});
