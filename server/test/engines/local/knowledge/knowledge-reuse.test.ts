import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import type { ChunkEmbedder, Embedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { keywordRankings } from '../../../../src/engines/local/knowledge/search/hybrid-search.js';
import { defaultRepoRoot, sampleDocumentPaths } from '../../../../src/knowledge/sample-knowledge-base.js';
import { testConfig } from '../../../helpers/test-config.js';

/** A toy model (counts "tea" and "coffee") that counts the chunks it is asked to embed. */
function countingEmbedder(): Embedder & { embedded: () => number } {
  let embedded = 0;
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
    embedChunks: (chunks) => {
      embedded += chunks.length;
      return Promise.resolve(chunks.map((chunk) => vector(chunk.text)));
    },
    close: () => Promise.resolve(),
  };
  return {
    ready: Promise.resolve(model),
    current: () => model,
    close: () => Promise.resolve(),
    embedded: () => embedded,
  };
}

async function withKnowledge(
  body: (
    knowledge: ReturnType<typeof createKnowledgeBase>,
    embedder: ReturnType<typeof countingEmbedder>,
  ) => Promise<void>,
) {
  const config = testConfig();
  const database = openDatabase(config.DATA_DIR);
  const embedder = countingEmbedder();
  const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
  try {
    await body(knowledge, embedder);
  } finally {
    await knowledge.close();
    database.close();
    config.cleanup();
  }
}

const chunksOf = (knowledge: ReturnType<typeof createKnowledgeBase>, vectorStoreId: string) =>
  knowledge.database
    .prepare<[string], { id: string; ordinal: number; text: string; embedding: Buffer; model: string }>(
      'SELECT id, ordinal, text, embedding, embedding_model AS model FROM kb_chunks WHERE vector_store_id = ? ORDER BY (SELECT file_name FROM kb_files f WHERE f.id = file_id), ordinal',
    )
    .all(vectorStoreId);

const teaGuide = Buffer.from(
  '# Brewing\n\nSteep green tea for two minutes at 80 degrees.\n\n## Coffee\n\nA coffee wants 94 degrees.\n',
);

describe('same bytes, same work', () => {
  it('ingests the sample documentation once: a second user’s copy is copied, not read or embedded', async () => {
    await withKnowledge(async (knowledge, embedder) => {
      const paths = await sampleDocumentPaths();
      expect(paths.length).toBeGreaterThan(0);
      const load = async (name: string) => {
        const store = await knowledge.vectorStores.create({ name });
        for (const path of paths) {
          await knowledge.vectorStores.addFile(store.id, {
            fileName: relative(defaultRepoRoot, path),
            bytes: await readFile(path),
            contentType: 'text/markdown',
          });
        }
        await knowledge.waitForIngestion();
        return store.id;
      };
      const first = await load('alice sample');
      const read = knowledge.ingestionCounts();
      const embedded = embedder.embedded();
      expect(read).toEqual({ read: paths.length, reused: 0 });
      expect(embedded).toBeGreaterThan(0);

      const second = await load('bob sample');
      expect(knowledge.ingestionCounts()).toEqual({ read: paths.length, reused: paths.length });
      expect(embedder.embedded()).toBe(embedded);

      // The copy is the same content under its own chunk ids, and searchable by both lanes.
      const [original, copy] = [chunksOf(knowledge, first), chunksOf(knowledge, second)];
      expect(copy.map((chunk) => [chunk.ordinal, chunk.text, chunk.model])).toEqual(
        original.map((chunk) => [chunk.ordinal, chunk.text, chunk.model]),
      );
      expect(copy.map((chunk) => chunk.embedding.toString('hex'))).toEqual(
        original.map((chunk) => chunk.embedding.toString('hex')),
      );
      expect(new Set([...original, ...copy].map((chunk) => chunk.id)).size).toBe(original.length * 2);
      const files = await knowledge.vectorStores.listFiles(second);
      expect(files.map((file) => file.status)).toEqual(files.map(() => 'completed'));
      expect(files.map((file) => file.chunkCount)).toEqual(
        (await knowledge.vectorStores.listFiles(first)).map((file) => file.chunkCount),
      );
      // The keyword index ranks the copy as it ranks the original: its analysed fields were
      // copied, not lost (the index is contentless). Compared lane by lane, since the toy
      // vectors tie and the fused order among equals is arbitrary.
      const located = knowledge.database.prepare<[number], { file: string; ordinal: number }>(
        'SELECT (SELECT file_name FROM kb_files f WHERE f.id = file_id) AS file, ordinal FROM kb_chunks WHERE rowid = ?',
      );
      const lanes = (vectorStoreId: string) => {
        const { all, title } = keywordRankings(
          knowledge.database,
          [vectorStoreId],
          'Threadline engine proxy',
          20,
        );
        const name = (rowid: number) => located.get(rowid);
        return { all: all.map(name), title: title.map(name) };
      };
      const fromCopy = lanes(second);
      expect(fromCopy.all.length).toBeGreaterThan(5);
      expect(fromCopy.title.length).toBeGreaterThan(0);
      expect(fromCopy).toEqual(lanes(first));
    });
  });

  it('copies a re-upload of identical bytes and the same file attached to a second store', async () => {
    await withKnowledge(async (knowledge, embedder) => {
      const [one, two] = [
        await knowledge.vectorStores.create({ name: 'one' }),
        await knowledge.vectorStores.create({ name: 'two' }),
      ];
      const uploaded = await knowledge.uploadFile({ fileName: 'brewing.md', bytes: teaGuide }, 'assistants');
      await knowledge.attachFile(one.id, uploaded.id);
      await knowledge.waitForIngestion();
      const embedded = embedder.embedded();
      expect(knowledge.ingestionCounts()).toEqual({ read: 1, reused: 0 });

      // The same stored file in a second store.
      await knowledge.attachFile(two.id, uploaded.id);
      // A re-upload of the same bytes under the same name, in the first store.
      const again = await knowledge.uploadFile({ fileName: 'brewing.md', bytes: teaGuide }, 'assistants');
      await knowledge.attachFile(one.id, again.id);
      await knowledge.waitForIngestion();
      expect(knowledge.ingestionCounts()).toEqual({ read: 1, reused: 2 });
      expect(embedder.embedded()).toBe(embedded);

      const hits = await knowledge.vectorStores.search([two.id], {
        query: 'green tea minutes',
        maxNumResults: 3,
      });
      expect(hits.map((hit) => [hit.fileName, hit.keywordRank !== null, hit.vectorRank !== null])).toEqual([
        ['brewing.md', true, true],
      ]);
    });
  });

  it('reads again what differs: other bytes, another name, other chunking', async () => {
    await withKnowledge(async (knowledge, embedder) => {
      const store = await knowledge.vectorStores.create({ name: 'docs' });
      await knowledge.vectorStores.addFile(store.id, { fileName: 'brewing.md', bytes: teaGuide });
      await knowledge.waitForIngestion();
      const embedded = embedder.embedded();
      await knowledge.vectorStores.addFile(store.id, {
        fileName: 'brewing.md',
        bytes: Buffer.concat([teaGuide, Buffer.from('\nOne more line.\n')]),
      });
      await knowledge.vectorStores.addFile(store.id, { fileName: 'renamed.md', bytes: teaGuide });
      const other = await knowledge.uploadFile({ fileName: 'brewing.md', bytes: teaGuide }, 'assistants');
      await knowledge.attachFile(store.id, other.id, {
        chunking: { maxChunkSizeTokens: 200, chunkOverlapTokens: 50 },
      });
      await knowledge.waitForIngestion();
      expect(knowledge.ingestionCounts()).toEqual({ read: 4, reused: 0 });
      expect(embedder.embedded()).toBeGreaterThan(embedded);
    });
  });
});
