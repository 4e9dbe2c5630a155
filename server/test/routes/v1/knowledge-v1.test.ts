import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import OpenAI, { toFile } from 'openai';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../../src/app.js';
import { openDatabase, type SqliteDatabase } from '../../../src/sqlite/database.js';
import {
  createKnowledgeBase,
  type KnowledgeBase,
} from '../../../src/engines/local/knowledge/knowledge-base.js';
import { createOwnership } from '../../../src/ownership/ownership-rule.js';
import { createSqliteRecords } from '../../../src/ownership/sqlite-owners.js';
import { localUserId } from '../../../src/common/local-user.js';
import { v1FileRoutes } from '../../../src/routes/v1/files.js';
import { installOpenAiErrors } from '../../../src/http/errors/openai-error.js';
import { v1VectorStoreRoutes } from '../../../src/routes/v1/vector-stores.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * The /v1 files and vector-store routes over real HTTP, driven by the official SDK. The routes
 * are mounted on their own /v1 context (as the /v1 index mounts them) over a real knowledge base.
 */
describe('/v1 files and vector stores via the openai SDK', () => {
  let config: ReturnType<typeof testConfig>;
  let database: SqliteDatabase;
  let knowledge: KnowledgeBase;
  let app: FastifyInstance;
  let client: OpenAI;
  let baseURL: string;

  beforeEach(async () => {
    config = testConfig({ MAX_UPLOAD_BYTES: '2048' });
    database = openDatabase(config.DATA_DIR);
    knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    const ownership = createOwnership(createSqliteRecords(database, 'test-engine'));
    app = Fastify({ logger: false });
    // Mounted without the auth plugin: every call is the single local user's.
    app.decorateRequest('userId', localUserId);
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(
      async (v1) => {
        installOpenAiErrors(v1);
        await v1.register(v1FileRoutes, { knowledge, ownership });
        await v1.register(v1VectorStoreRoutes, { knowledge, ownership });
      },
      { prefix: '/v1' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseURL = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/v1`;
    client = new OpenAI({ baseURL, apiKey: 'x', maxRetries: 0 });
  });
  afterEach(async () => {
    await app.close();
    await knowledge.close();
    database.close();
    config.cleanup();
  });

  const markdownFile = (name: string, text: string) =>
    toFile(Buffer.from(text), name, { type: 'text/markdown' });

  it('uploads, lists, reads and deletes files', async () => {
    const uploaded = await client.files.create({
      file: await markdownFile('guide.md', '# Guide\n\nhello'),
      purpose: 'assistants',
    });
    expect(uploaded).toMatchObject({
      object: 'file',
      filename: 'guide.md',
      purpose: 'assistants',
      bytes: 14,
    });
    expect(uploaded.id).toMatch(/^file-/);
    const second = await client.files.create({
      file: await markdownFile('b.md', 'b'),
      purpose: 'assistants',
    });
    const page = await client.files.list({ limit: 1, order: 'asc' });
    expect(page.data.map((file) => file.id)).toEqual([uploaded.id]);
    expect(page.has_more).toBe(true);
    const all: string[] = [];
    for await (const file of client.files.list({ limit: 1, order: 'asc' })) all.push(file.id);
    expect(all).toEqual([uploaded.id, second.id]);
    expect((await client.files.retrieve(uploaded.id)).filename).toBe('guide.md');
    expect(await (await client.files.content(uploaded.id)).text()).toBe('# Guide\n\nhello');
    expect(await client.files.delete(uploaded.id)).toEqual({
      id: uploaded.id,
      object: 'file',
      deleted: true,
    });
    await expect(client.files.retrieve(uploaded.id)).rejects.toMatchObject({
      status: 404,
      type: 'invalid_request_error',
    });
  });

  it('refuses bad uploads with OpenAI-shaped errors', async () => {
    await expect(
      client.files.create({ file: await markdownFile('a.md', 'x'), purpose: 'fine-tune' }),
    ).rejects.toMatchObject({ status: 400, type: 'invalid_request_error' });
    await expect(
      client.files.create({ file: await markdownFile('big.md', 'x'.repeat(3000)), purpose: 'assistants' }),
    ).rejects.toMatchObject({ status: 413 });
    const raw = await fetch(`${baseURL}/files`, {
      method: 'POST',
      body: JSON.stringify({ purpose: 'assistants' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(raw.status).toBe(400);
    const body: unknown = await raw.json();
    expect(body).toMatchObject({ error: { type: 'invalid_request_error', param: null } });
  });

  it('creates a store with files, waits for them, searches and cleans up', async () => {
    const rebase = await client.files.create({
      file: await markdownFile('rebase.md', '# Rebase\n\nSquash commits with git rebase --interactive.\n'),
      purpose: 'assistants',
    });
    const store = await client.vectorStores.create({
      name: 'docs',
      file_ids: [rebase.id],
      chunking_strategy: {
        type: 'static',
        static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 100 },
      },
      metadata: { team: 'core' },
    });
    expect(store).toMatchObject({ object: 'vector_store', name: 'docs', metadata: { team: 'core' } });
    expect(store.file_counts.total).toBe(1);

    const stash = await client.vectorStores.files.uploadAndPoll(
      store.id,
      await markdownFile('stash.md', '# Stash\n\ngit stash push saves uncommitted work.\n'),
      { pollIntervalMs: 20 },
    );
    expect(stash).toMatchObject({
      object: 'vector_store.file',
      status: 'completed',
      last_error: null,
      vector_store_id: store.id,
    });
    expect(stash.chunking_strategy).toEqual({
      type: 'static',
      static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 100 },
    });

    const bad = await client.files.create({
      file: await toFile(Buffer.from('MZ'), 'tool.exe'),
      purpose: 'assistants',
    });
    const failed = await client.vectorStores.files.createAndPoll(
      store.id,
      { file_id: bad.id },
      { pollIntervalMs: 20 },
    );
    expect(failed.status).toBe('failed');
    expect(failed.last_error?.code).toBe('unsupported_file');

    const done = await client.vectorStores.retrieve(store.id);
    expect(done.file_counts).toEqual({ in_progress: 0, completed: 2, failed: 1, cancelled: 0, total: 3 });
    expect(done.status).toBe('completed');

    const completed = await client.vectorStores.files.list(store.id, { filter: 'completed', order: 'asc' });
    expect(completed.data.map((file) => file.id)).toEqual([rebase.id, stash.id]);

    const results = await client.vectorStores.search(store.id, {
      query: 'squash commits',
      max_num_results: 2,
    });
    expect(results.data[0]).toMatchObject({ file_id: rebase.id, filename: 'rebase.md' });
    expect(results.data[0]?.content[0]?.text).toContain('Squash');
    expect(results.data[0]?.score).toBeGreaterThan(0);
    const strict = await client.vectorStores.search(store.id, {
      query: 'squash',
      ranking_options: { score_threshold: 1 },
    });
    expect(strict.data.length).toBeLessThanOrEqual(1);

    expect(await client.vectorStores.files.delete(stash.id, { vector_store_id: store.id })).toMatchObject({
      deleted: true,
    });
    const afterDelete = await client.vectorStores.search(store.id, { query: 'stash uncommitted' });
    expect(afterDelete.data.every((hit) => hit.file_id !== stash.id)).toBe(true);

    const updated = await client.vectorStores.update(store.id, { name: 'renamed' });
    expect(updated.name).toBe('renamed');
    expect((await client.vectorStores.list()).data.map((item) => item.id)).toEqual([store.id]);
    expect(await client.vectorStores.delete(store.id)).toMatchObject({
      id: store.id,
      object: 'vector_store.deleted',
      deleted: true,
    });
    await expect(client.vectorStores.retrieve(store.id)).rejects.toMatchObject({ status: 404 });
  });

  it('ingests file batches (uploadAndPoll)', async () => {
    const store = await client.vectorStores.create({ name: 'batch' });
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(
      store.id,
      {
        files: [
          await markdownFile('one.md', '# One\n\nfirst'),
          await markdownFile('two.md', '# Two\n\nsecond'),
        ],
      },
      { pollIntervalMs: 20 },
    );
    expect(batch).toMatchObject({ object: 'vector_store.files_batch', status: 'completed' });
    expect(batch.file_counts).toMatchObject({ completed: 2, total: 2 });
    const files = await client.vectorStores.fileBatches.listFiles(batch.id, { vector_store_id: store.id });
    expect(files.data).toHaveLength(2);
  });

  it('rejects bad vector-store input with 4xx OpenAI errors', async () => {
    await expect(
      client.vectorStores.create({
        chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 50, chunk_overlap_tokens: 0 } },
      }),
    ).rejects.toMatchObject({ status: 400, type: 'invalid_request_error' });
    await expect(
      client.vectorStores.create({
        chunking_strategy: {
          type: 'static',
          static: { max_chunk_size_tokens: 200, chunk_overlap_tokens: 150 },
        },
      }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(client.vectorStores.create({ file_ids: ['file-missing'] })).rejects.toMatchObject({
      status: 404,
    });
    const store = await client.vectorStores.create({ name: 's' });
    await expect(
      client.vectorStores.files.create(store.id, { file_id: 'file-missing' }),
    ).rejects.toMatchObject({ status: 404 });
    await expect(client.vectorStores.search(store.id, { query: '' })).rejects.toMatchObject({ status: 400 });
    await expect(
      client.vectorStores.search(store.id, { query: 'x', max_num_results: 51 }),
    ).rejects.toMatchObject({ status: 400 });
    await expect(client.vectorStores.list({ after: 'vs_nope' })).rejects.toMatchObject({ status: 400 });
    await expect(client.vectorStores.retrieve('vs_nope')).rejects.toMatchObject({ status: 404 });
  });

  it('is served by the whole app under /v1', async () => {
    const appConfig = testConfig();
    const whole = await buildApp(appConfig, { logger: false });
    try {
      await whole.listen({ port: 0, host: '127.0.0.1' });
      const port = (whole.server.address() as AddressInfo).port;
      const sdk = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: 'x', maxRetries: 0 });
      const store = await sdk.vectorStores.create({ name: 'app' });
      const file = await sdk.vectorStores.files.uploadAndPoll(
        store.id,
        await markdownFile('tea.md', '# Tea\n\nSteep green tea for two minutes.\n'),
        {
          pollIntervalMs: 20,
        },
      );
      expect(file.status).toBe('completed');
      const results = await sdk.vectorStores.search(store.id, { query: 'green tea' });
      expect(results.data[0]?.filename).toBe('tea.md');
      await expect(sdk.vectorStores.retrieve('vs_nope')).rejects.toMatchObject({
        status: 404,
        type: 'invalid_request_error',
      });
    } finally {
      await whole.close();
      appConfig.cleanup();
    }
  });
});
