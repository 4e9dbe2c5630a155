import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import type { ChunkEmbedder, Embedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { testConfig } from '../../../helpers/test-config.js';

// A toy model: two dimensions counting "tea" and "coffee", two vectors per chunk so the
// several-vectors-per-chunk layout is exercised too.
const toyVector = (text: string) => {
  const counts = ['tea', 'coffee'].map((word) => text.toLowerCase().split(word).length - 1 + 0.01);
  const norm = Math.hypot(...counts);
  return Float32Array.from(counts, (count) => count / norm);
};
const toyModel: ChunkEmbedder = {
  model: 'toy-2d',
  isSemantic: false,
  vectorWeight: 1,
  embedQuery: (text) => Promise.resolve(toyVector(text)),
  embedTexts: (texts) => Promise.resolve(texts.map(toyVector)),
  embedChunks: (chunks) =>
    Promise.resolve(
      chunks.map((chunk) => Float32Array.from([...toyVector(chunk.text), ...toyVector('neither')])),
    ),
  close: () => Promise.resolve(),
};

/** The toy model, ready when `release` is called (like a model still loading). */
function laterEmbedder(): Embedder & { release: () => void } {
  let release = () => {};
  let current: ChunkEmbedder | null = null;
  const ready = new Promise<ChunkEmbedder>((resolve) => {
    release = () => {
      current = toyModel;
      resolve(toyModel);
    };
  });
  return { ready, current: () => current, close: () => Promise.resolve(), release: () => release() };
}

describe('changing the embedding model', () => {
  it('re-embeds stored chunks in place in the background; search uses keywords meanwhile', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const stored = (storeId: string) =>
      database
        .prepare<[string], { id: string; model: string; bytes: number }>(
          'SELECT id, embedding_model AS model, length(embedding) AS bytes FROM kb_chunks WHERE vector_store_id = ? ORDER BY id',
        )
        .all(storeId);
    try {
      const hashed = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
      const store = await hashed.vectorStores.create({ name: 'drinks' });
      await hashed.vectorStores.addFile(store.id, {
        fileName: 'tea.md',
        bytes: Buffer.from('# Tea\n\ntea tea tea\n'),
      });
      await hashed.vectorStores.addFile(store.id, {
        fileName: 'coffee.md',
        bytes: Buffer.from('# Coffee\n\ncoffee coffee\n'),
      });
      await hashed.waitForIngestion();
      const before = stored(store.id);
      expect(before.map((chunk) => chunk.model)).toEqual(['local-hash-256', 'local-hash-256']);
      await hashed.close();

      const embedder = laterEmbedder();
      const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
      try {
        // The model is not ready: keyword search only, nothing waits.
        const early = await knowledge.vectorStores.search([store.id], { query: 'coffee', maxNumResults: 2 });
        expect(early.map((hit) => [hit.fileName, hit.vectorRank])).toEqual([['coffee.md', null]]);

        embedder.release();
        await knowledge.waitForIngestion();
        const after = stored(store.id);
        // Same chunks (ids kept for citations), vectors now the toy model's: two of 2 floats each.
        expect(after.map((chunk) => [chunk.id, chunk.model, chunk.bytes])).toEqual(
          before.map((chunk) => [chunk.id, 'toy-2d', 16]),
        );
        const hits = await knowledge.vectorStores.search([store.id], {
          query: 'a cup of coffee',
          maxNumResults: 2,
        });
        expect(hits.map((hit) => [hit.fileName, hit.vectorRank])).toEqual([
          ['coffee.md', 1],
          ['tea.md', 2],
        ]);
        expect((await knowledge.vectorStores.listFiles(store.id)).map((file) => file.status)).toEqual([
          'completed',
          'completed',
        ]);
      } finally {
        await knowledge.close();
      }
    } finally {
      database.close();
      config.cleanup();
    }
  });
});
