import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src/sqlite/database.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { keywordRankings } from '../../../../src/engines/local/knowledge/search/hybrid-search.js';
import { testConfig } from '../../../helpers/test-config.js';

/** A page that writes the question's phrase as one word ("checkout"), as Git's documentation does. */
const sparse = [
  '# sparse-checkout',
  '',
  'Reduce your working tree to a subset of tracked paths: a sparse checkout.',
  '',
].join('\n');

/** A page that says the phrase's words apart, about something else. */
const objects = [
  '# cat-file',
  '',
  'Check each object and print out its type; only objects named on standard input are read, in part.',
  '',
].join('\n');

/** Other commands' pages, where "check", "out", "only" and "part" are everyday words. */
const others = Array.from({ length: 8 }, (_unused, index) =>
  [`# command-${index}`, '', `Only check out part of the output of command ${index} when asked.`, ''].join(
    '\n',
  ),
);

// search-terms.ts joinedPairs: without the joined form, the page that says "check", "out",
// "only" and "part" ranked first, and the sparse checkout page did not match the question at all.
describe('keyword ranking of a phrase the documents write as one word', () => {
  it('finds "checkout" for "check out"', async () => {
    const config = testConfig();
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'docs' });
      for (const [fileName, text] of [
        ['git-sparse-checkout.md', sparse],
        ['git-cat-file.md', objects],
        ...others.map((text, index) => [`command-${index}.md`, text] as const),
      ]) {
        const file = await knowledge.uploadFile({ fileName, bytes: Buffer.from(text) }, 'assistants');
        await knowledge.attachFile(store.id, file.id);
      }
      await knowledge.waitForIngestion();
      const fileOf = database.prepare<[number], { file: string }>(
        'SELECT (SELECT file_name FROM kb_files f WHERE f.id = file_id) AS file FROM kb_chunks WHERE rowid = ?',
      );
      const { all } = keywordRankings(
        database,
        [store.id],
        'How can I check out only part of the files?',
        10,
      );
      expect(all.map((rowid) => fileOf.get(rowid)?.file)[0]).toBe('git-sparse-checkout.md');
    } finally {
      await knowledge.close();
      database.close();
      config.cleanup();
    }
  });
});
