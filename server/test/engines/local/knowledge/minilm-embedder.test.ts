import { performance } from 'node:perf_hooks';
import type { Message } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import type { ChunkEmbedder, Embedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { createMinilmEmbedder } from '../../../../src/engines/local/knowledge/embed/minilm/minilm-embedder.js';
import { LocalEngine } from '../../../../src/engines/local/local-engine.js';
import { isModelTestSkipped, testModelDir } from '../../../helpers/embedding-model.js';
import { testConfig } from '../../../helpers/test-config.js';

// Python reference: the same model.onnx under onnxruntime 1.32 with Hugging Face `tokenizers`
// and sentence-transformers mean pooling. The first dimensions of each vector, then cosines.
const reference = [
  {
    text: 'How do I undo the last commit but keep my changes?',
    head: [-0.0139, 0.0201, 0.0124, 0.0582, 0.0317, 0.0532],
  },
  {
    text: 'I recorded a snapshot too early. How do I take it back while leaving my edits in place?',
    head: [0.0105, 0.0286, 0.0122, 0.0303, 0.0909, 0.0734],
  },
  {
    text: 'git reset --soft HEAD~1 moves the branch back one commit and keeps the index and working tree.',
    head: [0.0295, -0.0517, 0.0297, 0.09, 0.0505, -0.0565],
  },
  { text: 'The weather in Paris is sunny today.', head: [0.024, 0.0599, 0.1242, 0.002, 0.0934, -0.037] },
];
const referenceCosines = [
  [1, 0.506, 0.4829, -0.0036],
  [0.506, 1, 0.2327, 0.0468],
  [0.4829, 0.2327, 1, -0.0139],
  [-0.0036, 0.0468, -0.0139, 1],
];

const dot = (left: Float32Array, right: Float32Array) =>
  left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

describe.skipIf(isModelTestSkipped)('all-MiniLM-L6-v2 in-process', () => {
  let model: ChunkEmbedder;
  let embedder: Embedder;

  beforeAll(async () => {
    model = await createMinilmEmbedder({ modelDir: testModelDir, dataDir: '.', isDownloadAllowed: false });
    embedder = { ready: Promise.resolve(model), current: () => model, close: () => model.close() };
  });
  afterAll(async () => {
    await model?.close();
  });

  it('embeds an answer turn’s texts split over the idle workers, each vector back in its place', async () => {
    // Nine texts of mixed lengths: with the pool idle they go out as one piece per idle worker
    // (minilm-worker-pool.ts), dealt longest first, and must come back in the caller's order.
    const texts = [
      ...reference.map((item) => item.text),
      'stash',
      'Rebasing replays your commits on top of another base; use --abort to stop a rebase that went wrong.',
      'A tag names one commit for ever.',
      'Worktrees let one repository have several branches checked out at once, each in its own folder.',
      'git bisect finds the commit that introduced a bug by binary search over the history.',
    ];
    const together = await model.embedTexts(texts);
    const alone: Float32Array[] = [];
    for (const text of texts) alone.push(await model.embedQuery(text));
    expect(together).toHaveLength(texts.length);
    together.forEach((vector, index) =>
      expect(dot(vector, alone[index] ?? new Float32Array())).toBeCloseTo(1, 4),
    );
  });

  it('gives the reference vectors', async () => {
    const vectors = await Promise.all(reference.map((item) => model.embedQuery(item.text)));
    vectors.forEach((vector, index) => {
      expect(vector).toHaveLength(384);
      expect(dot(vector, vector)).toBeCloseTo(1, 4);
      reference[index]?.head.forEach((value, dimension) => expect(vector[dimension]).toBeCloseTo(value, 3));
      vectors.forEach((other, otherIndex) =>
        expect(dot(vector, other)).toBeCloseTo(referenceCosines[index]?.[otherIndex] ?? Number.NaN, 2),
      );
    });
  });

  it('embeds a batch of chunks without holding up the event loop', async () => {
    const text = 'Rebasing replays commits on top of another base tip, one at a time. '.repeat(20);
    const chunks = Array.from({ length: 4 }, (_, index) => ({
      text,
      embeddingText: text,
      embeddingContext: `git-rebase ${index}`,
      documentSummary: 'git-rebase: Reapply commits on top of another base tip',
      start: index * text.length,
      end: (index + 1) * text.length,
    }));
    let ticks = 0;
    const timer = setInterval(() => (ticks += 1), 5);
    const started = performance.now();
    const before = performance.eventLoopUtilization();
    const vectors = await model.embedChunks(chunks);
    const busy = performance.eventLoopUtilization(before);
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // Each chunk is cut into overlapping windows, so it has several vectors.
    expect(vectors.every((vector) => vector.length > 384 && vector.length % 384 === 0)).toBe(true);
    // The main thread idles while the worker computes, and timers keep firing.
    expect(busy.utilization).toBeLessThan(0.5);
    expect(ticks).toBeGreaterThan(Math.min(10, elapsed / 50));
  });

  it('finds a passage by its meaning when the question shares none of its words', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    try {
      const store = await knowledge.vectorStores.create({ name: 'git' });
      const files = {
        'git-stash.md':
          '# git-stash\n\nStash the changes in a dirty working directory away. Use it when you want to record the current state of the working directory and the index, but want to go back to a clean working directory.',
        'git-bisect.md':
          '# git-bisect\n\nUse binary search to find the commit that introduced a bug. You mark a known good and a known bad revision.',
        'git-tag.md':
          '# git-tag\n\nCreate, list, delete or verify a tag object signed with GPG. Tags name a specific release.',
      };
      for (const [fileName, text] of Object.entries(files))
        await knowledge.vectorStores.addFile(store.id, { fileName, bytes: Buffer.from(text) });
      await knowledge.waitForIngestion();
      expect(knowledge.embeddingModel).toBe(model.model);
      const question = 'I need to put my half-finished edits aside for a moment';
      const keywordOnly = await knowledge.searchDetailed([store.id], { query: question, maxNumResults: 3 });
      expect(keywordOnly.filter((hit) => hit.keywordRank !== null).map((hit) => hit.fileName)).not.toContain(
        'git-stash.md',
      );
      const [best] = await knowledge.vectorStores.search([store.id], { query: question, maxNumResults: 3 });
      expect(best).toMatchObject({ fileName: 'git-stash.md', keywordRank: null, vectorRank: 1 });
    } finally {
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
  it("answers a follow-up in everyday words from what it means, within the conversation's topic", async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    const engine = new LocalEngine({ database, knowledge, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'tools' });
      const manual = [
        'loadcsv(1)\n=========\n\nNAME\n----\nloadcsv - Import a CSV file into a database table\n',
        'DESCRIPTION\n-----------\nReads a CSV file row by row and inserts each row into the table you name.\n',
        'OPTIONS\n-------\n--table <name>::\n\tThe table the rows go into; it is created when missing.\n',
        '--skip-header::\n\tTreats the first row as column names rather than data.\n',
        '--abandon::\n\tStops an import that is under way and returns the table to its state before the import began.\n',
      ].join('\n');
      const other = '# Backups\n\nThe nightly backup copies every table to the archive disk at 02:00.\n';
      for (const [fileName, text] of [
        ['loadcsv.txt', manual],
        ['backups.md', other],
      ] as const)
        await knowledge.vectorStores.addFile(store.id, { fileName, bytes: Buffer.from(text) });
      await knowledge.waitForIngestion();
      const thread = await engine.createThread({ vectorStoreIds: [store.id] });
      const ask = async (content: string) => {
        await engine.appendMessage(thread.id, { content });
        let message: Message | null = null;
        for await (const event of engine.streamRun(thread.id, {}, new AbortController().signal))
          if (event.event === 'thread.message.completed') message = event.data;
        const part = message?.content[0];
        return part?.type === 'text' ? part.text.value : '';
      };
      expect(await ask('How do I import a CSV file into a database table?')).toMatch(/loadcsv|CSV/);
      // None of "fails", "middle", "get out" is in the manual: the follow-up is understood by meaning.
      const followUp = await ask('What if it fails in the middle, how do I get out of it?');
      expect(followUp.split('\n\n')[0]).toContain('--abandon');
    } finally {
      await engine.close();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});
