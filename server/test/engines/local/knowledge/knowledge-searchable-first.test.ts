import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import type { ChunkEmbedder, Embedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { testConfig } from '../../../helpers/test-config.js';

/**
 * A toy model (counts "tea" and "coffee") whose chunk embedding holds until `release` is called,
 * like MiniLM busy with a long backlog; queries are answered at once.
 */
function heldEmbedder(): Embedder & { release: () => void; hold: () => void; calls: () => number } {
  let release = () => {};
  let released = Promise.resolve();
  const hold = () => {
    released = new Promise<void>((resolve) => {
      release = resolve;
    });
  };
  hold();
  let calls = 0;
  const vector = (text: string) => {
    const counts = ['tea', 'coffee'].map((word) => text.toLowerCase().split(word).length - 1 + 0.01);
    const norm = Math.hypot(...counts);
    return Float32Array.from(counts, (count) => count / norm);
  };
  const model: ChunkEmbedder = {
    model: 'toy-2d',
    isSemantic: false,
    vectorWeight: 1,
    embedQuery: (text) => Promise.resolve(vector(text)),
    embedTexts: (texts) => Promise.resolve(texts.map(vector)),
    embedChunks: async (chunks) => {
      calls += 1;
      await released;
      return chunks.map((chunk) => vector(chunk.text));
    },
    close: () => Promise.resolve(),
  };
  return {
    ready: Promise.resolve(model),
    current: () => model,
    close: () => Promise.resolve(),
    release: () => release(),
    hold,
    calls: () => calls,
  };
}

describe('searchable first, semantic next', () => {
  it('completes a file on its keywords before its vectors exist, and searches the vectors once they arrive', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const embedder = heldEmbedder();
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    const storedModels = (vectorStoreId: string) =>
      database
        .prepare<[string], { model: string; bytes: number }>(
          'SELECT embedding_model AS model, length(embedding) AS bytes FROM kb_chunks WHERE vector_store_id = ?',
        )
        .all(vectorStoreId);
    try {
      const store = await knowledge.vectorStores.create({ name: 'drinks' });
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'tea.md',
        bytes: Buffer.from('# Tea\n\nGreen tea steeps for two minutes.\n'),
      });
      await knowledge.waitUntilSearchable(store.id);
      // Completed, keyword-searchable, while the model has not returned a single vector.
      expect((await knowledge.vectorStores.listFiles(store.id)).map((file) => file.status)).toEqual([
        'completed',
      ]);
      expect(storedModels(store.id)).toEqual([{ model: '', bytes: 0 }]);
      const early = await knowledge.vectorStores.search([store.id], { query: 'green tea', maxNumResults: 3 });
      expect(early.map((hit) => [hit.fileName, hit.keywordRank, hit.vectorRank])).toEqual([
        ['tea.md', 1, null],
      ]);
      await waitFor(() => embedder.calls() > 0);

      embedder.release();
      await knowledge.waitForIngestion(store.id);
      expect(storedModels(store.id)).toEqual([{ model: 'toy-2d', bytes: 8 }]);
      const late = await knowledge.vectorStores.search([store.id], {
        query: 'a cup of tea',
        maxNumResults: 3,
      });
      expect(late.map((hit) => [hit.fileName, hit.vectorRank])).toEqual([['tea.md', 1]]);
    } finally {
      embedder.release();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });

  it('embeds many small files at once: slices in flight are counted in chunks, not files', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const embedder = heldEmbedder();
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    try {
      const store = await knowledge.vectorStores.create({ name: 'readmes' });
      for (let index = 0; index < 6; index += 1)
        await knowledge.vectorStores.addFile(store.id, {
          fileName: `readme-${index}.md`,
          bytes: Buffer.from(`# Package ${index}\n\nInstall it with npm install package-${index}.\n`),
        });
      await knowledge.waitUntilSearchable(store.id);
      // Six one-chunk files, the model held: each file's slice is with the model at once (two
      // slices at a time would leave a worker waiting on the event loop after each small one).
      await waitFor(() => embedder.calls() === 6);
      expect(embedder.calls()).toBe(6);
      embedder.release();
      await knowledge.waitForIngestion(store.id);
      const pending = database
        .prepare<[string], { count: number }>(
          "SELECT count(*) AS count FROM kb_chunks WHERE vector_store_id = ? AND embedding_model = ''",
        )
        .get(store.id);
      expect(pending?.count).toBe(0);
    } finally {
      embedder.release();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });

  it('reads a file added while another file’s vectors are being computed, without waiting for them', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const embedder = heldEmbedder();
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    try {
      const store = await knowledge.vectorStores.create({ name: 'drinks' });
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'tea.md',
        bytes: Buffer.from('# Tea\n\nGreen tea steeps for two minutes.\n'),
      });
      // The vector lane is busy (held) with tea.md's vectors when coffee.md arrives.
      await waitFor(() => embedder.calls() > 0);
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'coffee.md',
        bytes: Buffer.from('# Coffee\n\nEspresso is pressed in thirty seconds.\n'),
      });
      await knowledge.waitUntilSearchable(store.id);
      expect((await knowledge.vectorStores.listFiles(store.id)).map((file) => file.status)).toEqual([
        'completed',
        'completed',
      ]);
      const hits = await knowledge.vectorStores.search([store.id], { query: 'espresso', maxNumResults: 3 });
      expect(hits.map((hit) => hit.fileName)).toEqual(['coffee.md']);
      // Still no vector anywhere: the file lane did not wait for the vector lane.
      expect(embedder.calls()).toBe(1);
    } finally {
      embedder.release();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});

describe('a store whose vectors are partly in', () => {
  it('ranks a file still waiting for its vectors by its words, not below every embedded file', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const embedder = heldEmbedder();
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    try {
      const store = await knowledge.vectorStores.create({ name: 'drinks' });
      // The coffee page mentions tea once; the tea page answers the question.
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'coffee.md',
        bytes: Buffer.from('# Coffee\n\nCoffee, coffee and more coffee; some guests ask for tea.\n'),
      });
      embedder.release();
      await knowledge.waitForIngestion(store.id);
      // The next file's vectors are held in the background lane.
      embedder.hold();
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'tea.md',
        bytes: Buffer.from('# Brewing green tea\n\nBrew green tea at 80 °C for two minutes.\n'),
      });
      await knowledge.waitUntilSearchable(store.id);
      const hits = await knowledge.vectorStores.search([store.id], {
        query: 'brew green tea',
        maxNumResults: 5,
      });
      // Only coffee.md has a vector, so the vector list alone ranks it first; the tea page, which
      // every word of the question matches, is placed there at its keyword rank and wins (its
      // reported vector rank stays null: it has none).
      expect(hits.map((hit) => [hit.fileName, hit.keywordRank, hit.vectorRank])).toEqual([
        ['tea.md', 1, null],
        ['coffee.md', 2, 1],
      ]);
    } finally {
      embedder.release();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !condition(); attempt += 1)
    await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
}
