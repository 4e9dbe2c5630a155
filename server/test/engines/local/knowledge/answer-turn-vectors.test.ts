import type { Message } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import type { ChunkEmbedder, Embedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { createMinilmEmbedder } from '../../../../src/engines/local/knowledge/embed/minilm/minilm-embedder.js';
import { LocalEngine } from '../../../../src/engines/local/local-engine.js';
import { isModelTestSkipped, testModelDir } from '../../../helpers/embedding-model.js';
import { testConfig } from '../../../helpers/test-config.js';

const manual = [
  'loadcsv(1)\n=========\n\nNAME\n----\nloadcsv - Import a CSV file into a database table\n',
  'DESCRIPTION\n-----------\nReads a CSV file row by row and inserts each row into the table you name.\n',
  'OPTIONS\n-------\n--table <name>::\n\tThe table the rows go into; it is created when missing.\n',
  '--skip-header::\n\tTreats the first row as column names rather than data.\n',
  '--abandon::\n\tStops an import that is under way and returns the table to its state before the import began.\n',
].join('\n');
const backups = '# Backups\n\nThe nightly backup copies every table to the archive disk at 02:00.\n';

describe.skipIf(isModelTestSkipped)('answer turns with the in-process model: model calls per turn', () => {
  let model: ChunkEmbedder;
  /** Every text a turn sent to the model, one array per model call (queries and passages alike). */
  const calls: string[][] = [];

  beforeAll(async () => {
    model = await createMinilmEmbedder({ modelDir: testModelDir, dataDir: '.', isDownloadAllowed: false });
  });
  afterAll(async () => {
    await model?.close();
  });

  it('embeds a passage once for all turns: a repeated conversation costs no model call, a new question only itself', async () => {
    // The real model, with its query-side calls recorded (chunk vectors are ingestion's).
    const counted: ChunkEmbedder = {
      ...model,
      model: model.model,
      isSemantic: true,
      vectorWeight: model.vectorWeight,
      embedQuery(text, signal) {
        calls.push([text]);
        return model.embedQuery(text, signal);
      },
      embedTexts(texts, signal) {
        calls.push([...texts]);
        return model.embedTexts(texts, signal);
      },
      embedChunks: (chunks, signal) => model.embedChunks(chunks, signal),
      close: () => Promise.resolve(),
    };
    const embedder: Embedder = {
      ready: Promise.resolve(counted),
      current: () => counted,
      close: async () => {},
    };
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    const engine = new LocalEngine({ database, knowledge, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'tools' });
      await knowledge.vectorStores.addFile(store.id, { fileName: 'loadcsv.txt', bytes: Buffer.from(manual) });
      await knowledge.vectorStores.addFile(store.id, { fileName: 'backups.md', bytes: Buffer.from(backups) });
      await knowledge.waitForIngestion();
      const askIn = async (threadId: string, content: string) => {
        await engine.appendMessage(threadId, { content });
        let message: Message | null = null;
        for await (const event of engine.streamRun(threadId, {}, new AbortController().signal))
          if (event.event === 'thread.message.completed') message = event.data;
        const part = message?.content[0];
        return part?.type === 'text' ? part.text.value : '';
      };
      const conversation = [
        'How do I import a CSV file into a database table?',
        // Everyday words: its passages are re-ranked by meaning.
        'What if it fails in the middle, how do I get out of it?',
      ];
      const first = await engine.createThread({ vectorStoreIds: [store.id] });
      calls.length = 0;
      const firstAnswers = [];
      for (const content of conversation) firstAnswers.push(await askIn(first.id, content));
      expect(firstAnswers[1]?.split('\n\n')[0]).toContain('--abandon');
      // Cold: each question and each passage weighed reached the model once, and no text twice.
      const coldTexts = calls.flat();
      expect(new Set(coldTexts).size).toBe(coldTexts.length);
      expect(coldTexts).toContain(conversation[1]);
      expect(coldTexts.length).toBeGreaterThan(conversation.length);

      // A second person asking the same: the same answers, and the model is not called at all.
      const second = await engine.createThread({ vectorStoreIds: [store.id] });
      calls.length = 0;
      const secondAnswers = [];
      for (const content of conversation) secondAnswers.push(await askIn(second.id, content));
      expect(secondAnswers).toEqual(firstAnswers);
      expect(calls).toEqual([]);

      // A new question over passages already weighed (its words fall short, so they are re-ranked
      // by meaning): the model sees the question once, nothing else. Without the cache this turn
      // sent the question twice (search, then re-rank) and six passages.
      const third = await engine.createThread({ vectorStoreIds: [store.id] });
      calls.length = 0;
      const question = 'How do I make it ignore the first line of column names?';
      const answer = await askIn(third.id, question);
      expect(answer).toContain('--skip-header');
      expect(calls).toEqual([[question]]);
    } finally {
      await engine.close();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});
