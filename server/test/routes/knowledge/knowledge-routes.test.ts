import { readFileSync } from 'node:fs';
import {
  apiPaths,
  errorBodySchema,
  knowledgeFileInfoSchema,
  knowledgeFileListSchema,
  knowledgeFileSchema,
  sampleKnowledgeBaseSchema,
  searchResponseSchema,
  vectorStoreListSchema,
  vectorStoreSummarySchema,
} from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { multipartBody } from '../../helpers/multipart-body.js';
import { testConfig } from '../../helpers/test-config.js';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/knowledge/${name}`, import.meta.url));

describe('knowledge routes', () => {
  let config: ReturnType<typeof testConfig>;
  let app: FastifyInstance;

  beforeEach(async () => {
    config = testConfig({ MAX_UPLOAD_BYTES: '4096' });
    app = await buildApp(config, { logger: false });
  });
  afterEach(async () => {
    await app.close();
    config.cleanup();
  });

  async function createStore(name = 'handbook'): Promise<string> {
    const response = await app.inject({ method: 'POST', url: apiPaths.vectorStores, payload: { name } });
    expect(response.statusCode).toBe(201);
    return vectorStoreSummarySchema.parse(response.json()).id;
  }

  async function upload(vectorStoreId: string, files: Parameters<typeof multipartBody>[0]) {
    return app.inject({
      method: 'POST',
      url: apiPaths.vectorStoreFiles(vectorStoreId),
      ...multipartBody(files),
    });
  }

  async function waitUntilSettled(vectorStoreId: string) {
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const files = knowledgeFileListSchema.parse(
        (await app.inject({ url: apiPaths.vectorStoreFiles(vectorStoreId) })).json(),
      );
      if (files.data.every((file) => file.status !== 'in_progress')) return files.data;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error('ingestion did not settle');
  }

  it('creates, lists and deletes vector stores', async () => {
    const id = await createStore();
    const list = vectorStoreListSchema.parse((await app.inject({ url: apiPaths.vectorStores })).json());
    expect(list.data.map((store) => store.name)).toEqual(['handbook']);
    expect((await app.inject({ method: 'DELETE', url: apiPaths.vectorStore(id) })).statusCode).toBe(204);
    expect((await app.inject({ method: 'DELETE', url: apiPaths.vectorStore(id) })).statusCode).toBe(404);
    const blank = await app.inject({ method: 'POST', url: apiPaths.vectorStores, payload: { name: '  ' } });
    expect(blank.statusCode).toBe(400);
    expect(errorBodySchema.parse(blank.json()).code).toBe('validation_failed');
  });

  it('ingests every accepted format and moves each file from in_progress to completed', async () => {
    const id = await createStore();
    const response = await upload(id, [
      { fileName: 'guide.md', content: '# Guide\n\nThe VPN password rotates every ninety days.\n' },
      { fileName: 'notes.txt', content: 'Parking is free on weekends.' },
      {
        fileName: 'page.html',
        content: '<h1>Wiki</h1><script>var secret = 1</script><p>Lunch is served at noon.</p>',
      },
      { fileName: 'onboarding.pdf', content: fixture('onboarding.pdf') },
      { fileName: 'expense-policy.docx', content: fixture('expense-policy.docx') },
    ]);
    expect(response.statusCode).toBe(202);
    const accepted = knowledgeFileListSchema.parse(response.json()).data;
    expect(accepted.map((file) => file.status)).toEqual(Array(5).fill('in_progress'));
    const settled = await waitUntilSettled(id);
    expect(settled.map((file) => [file.fileName, file.status, file.lastError])).toEqual([
      ['guide.md', 'completed', null],
      ['notes.txt', 'completed', null],
      ['page.html', 'completed', null],
      ['onboarding.pdf', 'completed', null],
      ['expense-policy.docx', 'completed', null],
    ]);

    for (const [query, fileName, phrase] of [
      ['VPN password', 'guide.md', 'ninety days'],
      ['weekend parking', 'notes.txt', 'free'],
      ['when is lunch', 'page.html', 'noon'],
      ['laptop service desk', 'onboarding.pdf', 'laptop'],
      ['meals reimbursed', 'expense-policy.docx', 'forty euros'],
    ] as const) {
      const search = await app.inject({
        method: 'POST',
        url: apiPaths.vectorStoreSearch(id),
        payload: { query, maxNumResults: 3 },
      });
      expect(search.statusCode).toBe(200);
      const body = searchResponseSchema.parse(search.json());
      expect(body.data[0]?.fileName, query).toBe(fileName);
      expect(body.data[0]?.text).toContain(phrase);
      expect(body.tookMs).toBeGreaterThanOrEqual(0);
    }
    const html = await app.inject({
      method: 'POST',
      url: apiPaths.vectorStoreSearch(id),
      payload: { query: 'secret' },
    });
    expect(searchResponseSchema.parse(html.json()).data.every((hit) => !hit.text.includes('secret'))).toBe(
      true,
    );
  });

  it('rejects unsupported types with 415 and files over the limit with 413', async () => {
    const id = await createStore();
    const unsupported = await upload(id, [{ fileName: 'tool.exe', content: 'MZ' }]);
    expect(unsupported.statusCode).toBe(415);
    const body = errorBodySchema.parse(unsupported.json());
    expect(body.code).toBe('unsupported_media_type');
    expect(body.message).toContain('.docx');
    const tooLarge = await upload(id, [{ fileName: 'big.txt', content: 'x'.repeat(5000) }]);
    expect(tooLarge.statusCode).toBe(413);
    const tooLargeBody = errorBodySchema.parse(tooLarge.json());
    expect(tooLargeBody.code).toBe('payload_too_large');
    // The limit is named (the test config's MAX_UPLOAD_BYTES, 4096).
    expect(tooLargeBody.message).toMatch(/^"big.txt" is larger than 4 KB, the largest file/);
    const notMultipart = await app.inject({
      method: 'POST',
      url: apiPaths.vectorStoreFiles(id),
      payload: { file: 'x' },
    });
    expect(notMultipart.statusCode).toBe(415);
    expect(await waitUntilSettled(id)).toEqual([]);
  });

  it('fails empty and non-UTF-8 files with a clear last error and stays up', async () => {
    const id = await createStore();
    await upload(id, [
      { fileName: 'empty.md', content: '   \n' },
      { fileName: 'latin1.txt', content: Buffer.from([0x63, 0x61, 0x66, 0xe9]) },
      { fileName: 'broken.pdf', content: fixture('onboarding.pdf').subarray(0, 300) },
    ]);
    const settled = await waitUntilSettled(id);
    expect(settled.map((file) => [file.status, file.lastError?.code])).toEqual([
      ['failed', 'invalid_file'],
      ['failed', 'invalid_file'],
      ['failed', 'invalid_file'],
    ]);
    expect(settled[1]?.lastError?.message).toContain('UTF-8');
    expect(settled[2]?.lastError?.message).toBe('the PDF could not be read (damaged or not a PDF?)');
    const store = vectorStoreSummarySchema.parse(
      (await app.inject({ url: apiPaths.vectorStore(id) })).json(),
    );
    expect(store.fileCounts).toMatchObject({ failed: 3, completed: 0, total: 3 });
  });

  it('deletes a file with its chunks, so search no longer finds it', async () => {
    const id = await createStore();
    const uploaded = knowledgeFileListSchema.parse(
      (await upload(id, [{ fileName: 'a.md', content: '# Alpha\n\nzebra crossing rules\n' }])).json(),
    ).data[0];
    await waitUntilSettled(id);
    const fileId = uploaded?.id ?? '';
    const file = knowledgeFileSchema.parse(
      (await app.inject({ url: apiPaths.vectorStoreFile(id, fileId) })).json(),
    );
    expect(file.chunkCount).toBe(1);
    const info = knowledgeFileInfoSchema.parse(
      (await app.inject({ url: apiPaths.knowledgeFile(fileId) })).json(),
    );
    expect(info.fileName).toBe('a.md');
    const search = () =>
      app.inject({ method: 'POST', url: apiPaths.vectorStoreSearch(id), payload: { query: 'zebra' } });
    expect(searchResponseSchema.parse((await search()).json()).data).toHaveLength(1);
    expect(
      (await app.inject({ method: 'DELETE', url: apiPaths.vectorStoreFile(id, fileId) })).statusCode,
    ).toBe(204);
    expect(searchResponseSchema.parse((await search()).json()).data).toEqual([]);
    expect((await app.inject({ url: apiPaths.knowledgeFile(fileId) })).statusCode).toBe(404);
    expect((await app.inject({ url: apiPaths.vectorStoreFile(id, fileId) })).statusCode).toBe(404);
  });

  it('validates search requests', async () => {
    const id = await createStore();
    for (const payload of [
      { query: '' },
      { query: 'x', maxNumResults: 51 },
      { query: 'x', scoreThreshold: 2 },
    ]) {
      const response = await app.inject({ method: 'POST', url: apiPaths.vectorStoreSearch(id), payload });
      expect(response.statusCode).toBe(400);
    }
    const missing = await app.inject({
      method: 'POST',
      url: apiPaths.vectorStoreSearch('vs_missing'),
      payload: { query: 'x' },
    });
    expect(missing.statusCode).toBe(404);
  });

  it('builds the sample knowledge base from the project docs, idempotently', async () => {
    await app.close();
    app = await buildApp({ ...config, MAX_UPLOAD_BYTES: 50 * 1024 * 1024 }, { logger: false });
    const first = sampleKnowledgeBaseSchema.parse(
      (await app.inject({ method: 'POST', url: apiPaths.sampleKnowledgeBase })).json(),
    );
    expect(first.vectorStore.name).toBe('User guide (sample)');
    expect(first.files.map((file) => file.fileName)).toContain('README.md');
    const second = sampleKnowledgeBaseSchema.parse(
      (await app.inject({ method: 'POST', url: apiPaths.sampleKnowledgeBase })).json(),
    );
    expect(second.vectorStore.id).toBe(first.vectorStore.id);
    expect(second.files.map((file) => file.id).sort()).toEqual(first.files.map((file) => file.id).sort());
  });

  it('keeps a sample made under its earlier name as the sample, without a second copy', async () => {
    await app.close();
    app = await buildApp({ ...config, MAX_UPLOAD_BYTES: 50 * 1024 * 1024 }, { logger: false });
    const created = await app.inject({
      method: 'POST',
      url: apiPaths.vectorStores,
      payload: { name: 'Threadline documentation' },
    });
    expect(created.statusCode).toBeLessThan(300);
    const sample = sampleKnowledgeBaseSchema.parse(
      (await app.inject({ method: 'POST', url: apiPaths.sampleKnowledgeBase })).json(),
    );
    expect(sample.vectorStore.id).toBe(created.json<{ id: string }>().id);
    expect(sample.vectorStore.name).toBe('Threadline documentation');
  });
});
