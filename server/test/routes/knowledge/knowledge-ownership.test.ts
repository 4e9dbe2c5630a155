import {
  apiPaths,
  knowledgeFileListSchema,
  sampleKnowledgeBaseSchema,
  vectorStoreListSchema,
  vectorStoreSummarySchema,
} from '@threadline/shared';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildApp } from '../../../src/app.js';
import { defaultAssistantId } from '../../../src/engines/local/threads/local-assistants.js';
import { multipartBody } from '../../helpers/multipart-body.js';
import { testConfig } from '../../helpers/test-config.js';

const aliceToken = 'token-alice-1';
const bobToken = 'token-bob-22';
const headersOf = (token: string) => ({ authorization: `Bearer ${token}` });
const idObject = z.looseObject({ id: z.string() });
const missingStoreId = 'vs_missingmissingmissing1';
const missingFileId = 'file-missingmissingmissing1';

/**
 * Two users with their own tokens: every route that names a vector store or a file treats the
 * other user's id exactly like a missing one, and every list shows only the caller's own.
 */
describe('vector stores and files belong to their user', () => {
  const config = testConfig({ AUTH_TOKENS: `${aliceToken}=alice,${bobToken}=bob` });
  let app: FastifyInstance;
  let storeId: string;
  let fileId: string;
  let v1StoreId: string;
  let v1FileId: string;
  let bobStoreId: string;

  const call = (token: string, options: InjectOptions) =>
    app.inject({ ...options, headers: { ...headersOf(token), ...options.headers } });

  beforeAll(async () => {
    app = await buildApp(config, { logger: false });
    const store = await call(aliceToken, {
      method: 'POST',
      url: apiPaths.vectorStores,
      payload: { name: 'alice handbook' },
    });
    storeId = vectorStoreSummarySchema.parse(store.json()).id;
    const uploaded = await call(aliceToken, {
      method: 'POST',
      url: apiPaths.vectorStoreFiles(storeId),
      ...multipartBody([{ fileName: 'secret.md', content: '# Secret\n\nThe vault code is 4711.\n' }]),
    });
    fileId = knowledgeFileListSchema.parse(uploaded.json()).data[0]?.id ?? '';
    const v1Store = await call(aliceToken, {
      method: 'POST',
      url: '/v1/vector_stores',
      payload: { name: 'v1' },
    });
    v1StoreId = idObject.parse(v1Store.json()).id;
    const v1File = await call(aliceToken, {
      method: 'POST',
      url: '/v1/files',
      ...multipartBody([{ fileName: 'plan.md', content: '# Plan\n\nLaunch on Friday.\n' }], {
        purpose: 'assistants',
      }),
    });
    v1FileId = idObject.parse(v1File.json()).id;
    const bobStore = await call(bobToken, {
      method: 'POST',
      url: apiPaths.vectorStores,
      payload: { name: 'bob' },
    });
    bobStoreId = vectorStoreSummarySchema.parse(bobStore.json()).id;
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const files = knowledgeFileListSchema.parse(
        (await call(aliceToken, { url: apiPaths.vectorStoreFiles(storeId) })).json(),
      );
      if (files.data.every((file) => file.status === 'completed')) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  });
  afterAll(async () => {
    await app.close();
    config.cleanup();
  });

  /** Bob's answer for alice's ids equals his answer for missing ids (ids aside): 404 both. */
  async function expectHidden(
    build: (ids: { store: string; file: string; v1Store: string; v1File: string }) => InjectOptions,
  ) {
    const real = await call(
      bobToken,
      build({ store: storeId, file: fileId, v1Store: v1StoreId, v1File: v1FileId }),
    );
    const missing = await call(
      bobToken,
      build({ store: missingStoreId, file: missingFileId, v1Store: missingStoreId, v1File: missingFileId }),
    );
    const scrub = (text: string) =>
      text
        .replaceAll(storeId, '<store>')
        .replaceAll(v1StoreId, '<store>')
        .replaceAll(missingStoreId, '<store>')
        .replaceAll(fileId, '<file>')
        .replaceAll(v1FileId, '<file>')
        .replaceAll(missingFileId, '<file>');
    expect(real.statusCode, real.body).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(scrub(real.body)).toBe(scrub(missing.body));
  }

  it('lists only the caller’s own stores and files', async () => {
    const bobs = vectorStoreListSchema.parse((await call(bobToken, { url: apiPaths.vectorStores })).json());
    expect(bobs.data.map((store) => store.id)).toEqual([bobStoreId]);
    const alices = vectorStoreListSchema.parse(
      (await call(aliceToken, { url: apiPaths.vectorStores })).json(),
    );
    expect(alices.data.map((store) => store.id).sort()).toEqual([storeId, v1StoreId].sort());

    const v1Stores = z.object({ data: z.array(idObject) });
    const bobV1 = v1Stores.parse((await call(bobToken, { url: '/v1/vector_stores' })).json());
    expect(bobV1.data.map((store) => store.id)).toEqual([bobStoreId]);
    const aliceV1 = v1Stores.parse((await call(aliceToken, { url: '/v1/vector_stores' })).json());
    expect(aliceV1.data.map((store) => store.id).sort()).toEqual([storeId, v1StoreId].sort());
    const bobFiles = v1Stores.parse((await call(bobToken, { url: '/v1/files' })).json());
    expect(bobFiles.data).toEqual([]);
    const aliceFiles = v1Stores.parse((await call(aliceToken, { url: '/v1/files' })).json());
    expect(aliceFiles.data.map((file) => file.id).sort()).toEqual([fileId, v1FileId].sort());
    const legacy = await call(bobToken, { url: apiPaths.legacy.files });
    expect(legacy.json()).toEqual([]);
  });

  it.each<[string, (ids: { store: string; file: string; v1Store: string; v1File: string }) => InjectOptions]>(
    [
      [
        'chat with a store',
        (ids) => ({
          method: 'POST',
          url: apiPaths.chatStream,
          payload: { content: 'vault code?', vectorStoreIds: [ids.store] },
        }),
      ],
      ['get a store', (ids) => ({ url: apiPaths.vectorStore(ids.store) })],
      ['list a store’s files', (ids) => ({ url: apiPaths.vectorStoreFiles(ids.store) })],
      ['get a store file', (ids) => ({ url: apiPaths.vectorStoreFile(ids.store, ids.file) })],
      ['get a stored file', (ids) => ({ url: apiPaths.knowledgeFile(ids.file) })],
      [
        'search a store',
        (ids) => ({
          method: 'POST',
          url: apiPaths.vectorStoreSearch(ids.store),
          payload: { query: 'vault code' },
        }),
      ],
      [
        'upload into a store',
        (ids) => ({
          method: 'POST',
          url: apiPaths.vectorStoreFiles(ids.store),
          ...multipartBody([{ fileName: 'x.md', content: '# x' }]),
        }),
      ],
      [
        'delete a store file',
        (ids) => ({ method: 'DELETE', url: apiPaths.vectorStoreFile(ids.store, ids.file) }),
      ],
      ['delete a store', (ids) => ({ method: 'DELETE', url: apiPaths.vectorStore(ids.store) })],
      ['download a file (legacy)', (ids) => ({ url: apiPaths.legacy.file(ids.file) })],
      [
        'remove a file (legacy)',
        (ids) => ({ method: 'DELETE', url: apiPaths.legacy.files, payload: { fileId: ids.file } }),
      ],
      ['/v1 get a store', (ids) => ({ url: `/v1/vector_stores/${ids.v1Store}` })],
      [
        '/v1 rename a store',
        (ids) => ({ method: 'POST', url: `/v1/vector_stores/${ids.v1Store}`, payload: { name: 'mine now' } }),
      ],
      ['/v1 delete a store', (ids) => ({ method: 'DELETE', url: `/v1/vector_stores/${ids.v1Store}` })],
      ['/v1 list a store’s files', (ids) => ({ url: `/v1/vector_stores/${ids.store}/files` })],
      ['/v1 get a store file', (ids) => ({ url: `/v1/vector_stores/${ids.store}/files/${ids.file}` })],
      [
        '/v1 delete a store file',
        (ids) => ({ method: 'DELETE', url: `/v1/vector_stores/${ids.store}/files/${ids.file}` }),
      ],
      [
        '/v1 search a store',
        (ids) => ({
          method: 'POST',
          url: `/v1/vector_stores/${ids.store}/search`,
          payload: { query: 'vault' },
        }),
      ],
      [
        '/v1 attach a file to alice’s store',
        (ids) => ({
          method: 'POST',
          url: `/v1/vector_stores/${ids.v1Store}/files`,
          payload: { file_id: 'file-x' },
        }),
      ],
      [
        '/v1 attach alice’s file to one’s own store',
        (ids) => ({
          method: 'POST',
          url: `/v1/vector_stores/${bobStoreId}/files`,
          payload: { file_id: ids.v1File },
        }),
      ],
      [
        '/v1 batch alice’s file into one’s own store',
        (ids) => ({
          method: 'POST',
          url: `/v1/vector_stores/${bobStoreId}/file_batches`,
          payload: { file_ids: [ids.v1File] },
        }),
      ],
      [
        '/v1 create a store over alice’s file',
        (ids) => ({
          method: 'POST',
          url: '/v1/vector_stores',
          payload: { name: 'copy', file_ids: [ids.v1File] },
        }),
      ],
      ['/v1 get a file', (ids) => ({ url: `/v1/files/${ids.v1File}` })],
      ['/v1 download a file', (ids) => ({ url: `/v1/files/${ids.v1File}/content` })],
      ['/v1 delete a file', (ids) => ({ method: 'DELETE', url: `/v1/files/${ids.v1File}` })],
      [
        '/v1 a thread over alice’s store',
        (ids) => ({
          method: 'POST',
          url: '/v1/threads',
          payload: { tool_resources: { file_search: { vector_store_ids: [ids.v1Store] } } },
        }),
      ],
      [
        '/v1 an assistant over alice’s store',
        (ids) => ({
          method: 'POST',
          url: '/v1/assistants',
          payload: { model: 'm', tool_resources: { file_search: { vector_store_ids: [ids.v1Store] } } },
        }),
      ],
      [
        '/v1 create-and-run over alice’s store',
        (ids) => ({
          method: 'POST',
          url: '/v1/threads/runs',
          payload: {
            assistant_id: defaultAssistantId,
            thread: { tool_resources: { file_search: { vector_store_ids: [ids.v1Store] } } },
          },
        }),
      ],
    ],
  )('as bob: %s → 404, like a missing id', async (_name, build) => {
    await expectHidden(build);
  });

  it('leaves alice’s stores and files intact', async () => {
    expect((await call(aliceToken, { url: apiPaths.vectorStore(storeId) })).statusCode).toBe(200);
    expect((await call(aliceToken, { url: apiPaths.legacy.file(fileId) })).statusCode).toBe(200);
    expect((await call(aliceToken, { url: `/v1/vector_stores/${v1StoreId}` })).json()).toMatchObject({
      name: 'v1',
    });
    expect((await call(aliceToken, { url: `/v1/files/${v1FileId}/content` })).body).toContain(
      'Launch on Friday',
    );
    const search = await call(aliceToken, {
      method: 'POST',
      url: apiPaths.vectorStoreSearch(storeId),
      payload: { query: 'vault code' },
    });
    expect(search.body).toContain('4711');
  });

  it('gives the stores that /v1 helpers make (tool_resources, attachments) to whoever asked', async () => {
    const assistant = await call(aliceToken, {
      method: 'POST',
      url: '/v1/assistants',
      payload: {
        model: 'extractive',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_stores: [{ file_ids: [v1FileId] }] } },
      },
    });
    const helperStoreId = z
      .object({
        tool_resources: z.object({ file_search: z.object({ vector_store_ids: z.array(z.string()) }) }),
      })
      .parse(assistant.json()).tool_resources.file_search.vector_store_ids[0];
    const thread = idObject.parse(
      (await call(aliceToken, { method: 'POST', url: '/v1/threads', payload: {} })).json(),
    );
    await call(aliceToken, {
      method: 'POST',
      url: `/v1/threads/${thread.id}/messages`,
      payload: {
        role: 'user',
        content: 'hi',
        attachments: [{ file_id: v1FileId, tools: [{ type: 'file_search' }] }],
      },
    });
    const threadStoreId = z
      .object({
        tool_resources: z.object({ file_search: z.object({ vector_store_ids: z.array(z.string()) }) }),
      })
      .parse((await call(aliceToken, { url: `/v1/threads/${thread.id}` })).json()).tool_resources.file_search
      .vector_store_ids[0];
    for (const id of [helperStoreId, threadStoreId]) {
      expect(id).toBeTruthy();
      expect((await call(aliceToken, { url: `/v1/vector_stores/${id ?? ''}` })).statusCode).toBe(200);
      expect((await call(bobToken, { url: `/v1/vector_stores/${id ?? ''}` })).statusCode).toBe(404);
    }
  });

  it('gives each user a sample knowledge base of their own', async () => {
    const forAlice = sampleKnowledgeBaseSchema.parse(
      (await call(aliceToken, { method: 'POST', url: apiPaths.sampleKnowledgeBase })).json(),
    );
    const forBob = sampleKnowledgeBaseSchema.parse(
      (await call(bobToken, { method: 'POST', url: apiPaths.sampleKnowledgeBase })).json(),
    );
    expect(forBob.vectorStore.id).not.toBe(forAlice.vectorStore.id);
    const again = sampleKnowledgeBaseSchema.parse(
      (await call(bobToken, { method: 'POST', url: apiPaths.sampleKnowledgeBase })).json(),
    );
    expect(again.vectorStore.id).toBe(forBob.vectorStore.id);
    expect((await call(aliceToken, { url: apiPaths.vectorStore(forBob.vectorStore.id) })).statusCode).toBe(
      404,
    );
  });
});
