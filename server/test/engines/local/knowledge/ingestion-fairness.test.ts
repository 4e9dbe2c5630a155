import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { testConfig } from '../../../helpers/test-config.js';

/** ~100 KB of numbered lines, different per file (identical bytes would be copied, not read). */
const report = (file: number) =>
  `# Report ${file}\n\n${Array.from(
    { length: 1_400 },
    (_, line) =>
      `Line ${line} of report ${file}: quarterly figure ${(file * 7919 + line * 104729) % 100_003}.`,
  ).join('\n')}\n`;

describe('ingestion is fair across stores', () => {
  it('reads a small file added to one store during a large batch in another before the batch is done', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    const statuses = async (vectorStoreId: string) =>
      (await knowledge.vectorStores.listFiles(vectorStoreId)).map((file) => file.status);
    try {
      const reports = await knowledge.vectorStores.create({ name: 'reports' });
      const batchSize = 12;
      const fileIds: string[] = [];
      for (let file = 0; file < batchSize; file += 1) {
        const stored = await knowledge.uploadFile(
          { fileName: `report-${file}.md`, bytes: Buffer.from(report(file)) },
          'assistants',
        );
        fileIds.push(stored.id);
      }
      // The whole batch queued at once (OpenAI's file batch), then the small file elsewhere.
      await knowledge.createFileBatch(
        reports.id,
        fileIds.map((fileId) => ({ fileId })),
      );
      const notes = await knowledge.vectorStores.create({ name: 'notes' });
      await knowledge.vectorStores.addFile(notes.id, {
        fileName: 'parking.md',
        bytes: Buffer.from('# Parking\n\nVisitors park on level two.\n'),
      });

      await knowledge.waitUntilSearchable(notes.id);
      expect(await statuses(notes.id)).toEqual(['completed']);
      // Ordering evidence: when the note was done, most of the batch was not. Served in turn, the
      // note comes after the batch file being read when it was added (1 or 2 here), not the last.
      const batchWhenNoteDone = await statuses(reports.id);
      expect(batchWhenNoteDone.filter((status) => status === 'completed').length).toBeLessThan(batchSize / 2);

      await knowledge.waitUntilSearchable(reports.id);
      expect(new Set(await statuses(reports.id))).toEqual(new Set(['completed']));
    } finally {
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  }, 120_000);
});
