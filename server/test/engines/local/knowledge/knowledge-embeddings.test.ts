import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { testConfig } from '../../../helpers/test-config.js';

const embeddingsUrl = 'http://embeddings.test/v1';
const requestSchema = z.object({ model: z.string(), input: z.array(z.string()) });
const requests: z.infer<typeof requestSchema>[] = [];
let isFailing = false;

// A toy 3-d "model": each axis counts one topic word, so similarity is checkable by hand.
const vectorOf = (text: string) =>
  ['tea', 'coffee', 'juice'].map((word) => text.toLowerCase().split(word).length - 1 + 0.01);

const server = setupServer(
  http.post(`${embeddingsUrl}/embeddings`, async ({ request }) => {
    if (isFailing) return HttpResponse.json({ error: { message: 'boom' } }, { status: 400 });
    const body = requestSchema.parse(await request.json());
    requests.push(body);
    return HttpResponse.json({
      object: 'list',
      model: body.model,
      data: body.input
        .map((text, index) => ({ object: 'embedding', index, embedding: vectorOf(text) }))
        .reverse(),
      usage: { prompt_tokens: 1, total_tokens: 1 },
    });
  }),
);

describe('knowledge base with an embeddings endpoint', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    server.resetHandlers();
    requests.length = 0;
    isFailing = false;
  });
  afterAll(() => server.close());

  it('embeds chunks and queries through the endpoint and ranks by its vectors', async () => {
    const config = testConfig({
      EMBEDDINGS_BASE_URL: embeddingsUrl,
      EMBEDDINGS_MODEL: 'toy-3d',
      RETRIEVAL_KEYWORD_WEIGHT: '0',
    });
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'drinks' });
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'tea.md',
        bytes: Buffer.from('# Tea\n\ntea tea tea\n'),
      });
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'coffee.md',
        bytes: Buffer.from('# Coffee\n\ncoffee coffee\n'),
      });
      await knowledge.waitForIngestion();
      expect(requests.map((request) => request.model)).toEqual(['toy-3d', 'toy-3d']);
      expect(requests[0]?.input[0]).toContain('tea tea tea');
      const hits = await knowledge.vectorStores.search([store.id], {
        query: 'a cup of coffee',
        maxNumResults: 2,
      });
      expect(hits.map((hit) => [hit.fileName, hit.keywordRank, hit.vectorRank])).toEqual([
        ['coffee.md', null, 1],
        ['tea.md', null, 2],
      ]);
      expect(requests.at(-1)?.input).toEqual(['a cup of coffee']);
    } finally {
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });

  it('marks a file failed when the endpoint refuses, and keeps going', async () => {
    const config = testConfig({ EMBEDDINGS_BASE_URL: embeddingsUrl });
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'x' });
      isFailing = true;
      const file = await knowledge.vectorStores.addFile(store.id, {
        fileName: 'a.md',
        bytes: Buffer.from('hello'),
      });
      await knowledge.waitForIngestion();
      expect(await knowledge.vectorStores.getFile(store.id, file.id)).toMatchObject({
        status: 'failed',
        lastError: { code: 'server_error', message: expect.stringContaining('embeddings') as unknown },
      });
    } finally {
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});
