import {
  apiPaths,
  knowledgeFileListSchema,
  meaningIndexShare,
  vectorStoreSummarySchema,
  type MeaningIndex,
} from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import type { ChunkEmbedder, Embedder } from '../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../../src/engines/local/local-engine.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import { buildTestApp } from '../../helpers/test-app.js';
import { multipartBody } from '../../helpers/multipart-body.js';
import { testConfig } from '../../helpers/test-config.js';

/**
 * An in-process model (as MiniLM is: chunk vectors come after the file is searchable) that
 * embeds one batch of chunks per permit, so the test sees the meaning index part-way.
 */
function gatedEmbedder(): Embedder & { permit: () => void; permitAll: () => void } {
  const waiting: (() => void)[] = [];
  let isOpen = false;
  const vector = () => Float32Array.from([0.6, 0.8]);
  const model: ChunkEmbedder = {
    model: 'toy-gated',
    isSemantic: true,
    vectorWeight: 1,
    embedQuery: () => Promise.resolve(vector()),
    embedTexts: (texts) => Promise.resolve(texts.map(vector)),
    embedChunks: async (chunks) => {
      if (!isOpen) await new Promise<void>((resolve) => waiting.push(resolve));
      return chunks.map(vector);
    },
    close: () => Promise.resolve(),
  };
  return {
    ready: Promise.resolve(model),
    current: () => model,
    close: () => Promise.resolve(),
    permit: () => waiting.shift()?.(),
    permitAll: () => {
      isOpen = true;
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}

const longDocument = Array.from(
  { length: 60 },
  (_, section) =>
    `## Section ${section}\n\n${Array.from({ length: 12 }, (_, line) => `Sentence ${line} about topic ${section * 31 + line}, with some words.`).join(' ')}\n`,
).join('\n');

describe('/knowledge: the meaning index of files and stores', () => {
  it('reports a completed file at 0% of its meaning index, then part-way, then 100% as the background lane drains', async () => {
    const config = testConfig({ CHUNK_SIZE_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '0' });
    const database = openDatabase(config.DATA_DIR);
    const embedder = gatedEmbedder();
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    const engine = new LocalEngine({ database, knowledge, config, ownsDatabase: true });
    const { app, close } = await buildTestApp(config, { engine });
    const figures = async (storeId: string) => {
      const files = knowledgeFileListSchema.parse(
        (await app.inject({ url: apiPaths.vectorStoreFiles(storeId) })).json(),
      ).data;
      const store = vectorStoreSummarySchema.parse(
        (await app.inject({ url: `/knowledge/vector-stores/${storeId}` })).json(),
      );
      return { files, store };
    };
    try {
      const created = await app.inject({
        method: 'POST',
        url: apiPaths.vectorStores,
        payload: { name: 'long reads' },
      });
      const storeId = vectorStoreSummarySchema.parse(created.json()).id;
      const uploaded = await app.inject({
        method: 'POST',
        url: apiPaths.vectorStoreFiles(storeId),
        ...multipartBody([{ fileName: 'long.md', content: longDocument }]),
      });
      expect(uploaded.statusCode).toBe(202);
      await knowledge.waitUntilSearchable(storeId);

      const before = await figures(storeId);
      const [file] = before.files;
      expect(file?.status).toBe('completed');
      const total = file?.chunkCount ?? 0;
      expect(total).toBeGreaterThan(20);
      expect(file?.meaningIndex).toEqual({ embeddedChunks: 0, totalChunks: total });
      expect(before.store.meaningIndex).toEqual({ embeddedChunks: 0, totalChunks: total });

      embedder.permit();
      await waitFor(async () => ((await figures(storeId)).files[0]?.meaningIndex?.embeddedChunks ?? 0) > 0);
      const during = await figures(storeId);
      const partWay = during.files[0]?.meaningIndex as MeaningIndex;
      expect(meaningIndexShare(partWay)).toBeGreaterThan(0);
      expect(meaningIndexShare(partWay)).toBeLessThan(1);
      expect(during.store.meaningIndex).toEqual(partWay);

      embedder.permitAll();
      await knowledge.waitForIngestion(storeId);
      const after = await figures(storeId);
      expect(after.files[0]?.meaningIndex).toEqual({ embeddedChunks: total, totalChunks: total });
      expect(after.store.meaningIndex).toEqual({ embeddedChunks: total, totalChunks: total });
    } finally {
      embedder.permitAll();
      await close();
      await engine.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(await condition()).toBe(true);
}
