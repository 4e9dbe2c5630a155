import { describe, expect, it } from 'vitest';
import {
  hashEmbedder,
  type ChunkEmbedder,
  type Embedder,
} from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { keywordRankings } from '../../../../src/engines/local/knowledge/search/hybrid-search.js';
import { LocalEngine } from '../../../../src/engines/local/local-engine.js';
import { openDatabase } from '../../../../src/sqlite/database.js';
import { testConfig } from '../../../helpers/test-config.js';

const manual =
  '# Tags\n\nCreate a tag with `tag <name>`.\n\n## Deleting tags\n\nDelete a tag with `tag -d <name>`.\n';

describe('a follow-up search', () => {
  it('weighs the follow-up double in the search while its query stays as the person wrote it', async () => {
    // Hashed word vectors (no model to load), with the texts embedded as queries recorded.
    const embedded: string[] = [];
    const recorded: ChunkEmbedder = {
      ...hashEmbedder,
      embedQuery(text, signal) {
        embedded.push(text);
        return hashEmbedder.embedQuery(text, signal);
      },
      embedTexts(texts, signal) {
        embedded.push(...texts);
        return hashEmbedder.embedTexts(texts, signal);
      },
    };
    const embedder: Embedder = {
      ready: Promise.resolve(recorded),
      current: () => recorded,
      close: async () => {},
    };
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
    const engine = new LocalEngine({ database, knowledge, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'tags' });
      await knowledge.vectorStores.addFile(store.id, { fileName: 'tags.md', bytes: Buffer.from(manual) });
      await knowledge.waitForIngestion();
      const thread = await engine.createThread({ vectorStoreIds: [store.id] });
      const ask = async (content: string) => {
        await engine.appendMessage(thread.id, { content });
        let runId = '';
        for await (const event of engine.streamRun(thread.id, {}, new AbortController().signal))
          if (event.event === 'thread.run.created') runId = event.data.id;
        return runId;
      };
      await ask('How do I create a tag?');
      embedded.length = 0;
      const runId = await ask('How do I delete it?');
      const asked = 'How do I create a tag?\nHow do I delete it?';
      // What is shown (the run's search, Responses' `queries`): the person's words, once each.
      expect((await engine.store.runContext(runId))?.query).toBe(asked);
      expect(await engine.searchQueryOf(thread.id)).toBe(asked);
      // What the search weighed: the follow-up's words twice, as before the weight had its own field.
      expect(embedded[0]).toBe(`${asked}\nHow do I delete it?`);
    } finally {
      await engine.close();
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });

  it('weighs the emphasised words in the keyword ranking too: BM25 counts a term written twice twice', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'tags' });
      // One chunk says the earlier question's rare word twice, the other the follow-up's once:
      // unweighted, the earlier question's word wins.
      const files = {
        'annotated.md': '# Annotated\n\nAn annotated tag keeps a message; annotated tags are objects.\n',
        'delete.md': '# Removing\n\nTo delete one, name it.\n',
        'other.md': '# Other\n\nNothing about either word here.\n',
      };
      for (const [fileName, text] of Object.entries(files))
        await knowledge.vectorStores.addFile(store.id, { fileName, bytes: Buffer.from(text) });
      await knowledge.waitForIngestion();
      const first = (emphasis: { text: string; weight: number } | null) => {
        const [top] = keywordRankings(
          knowledge.database,
          [store.id],
          'annotated tag\ndelete',
          10,
          emphasis,
        ).all;
        return knowledge.database
          .prepare<[number], { name: string }>(
            'SELECT (SELECT file_name FROM kb_files f WHERE f.id = file_id) AS name FROM kb_chunks WHERE rowid = ?',
          )
          .get(top ?? -1)?.name;
      };
      expect(first(null)).toBe('annotated.md');
      expect(first({ text: 'delete', weight: 3 })).toBe('delete.md');
    } finally {
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});
