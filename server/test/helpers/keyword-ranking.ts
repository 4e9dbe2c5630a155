import { openDatabase } from '../../src/sqlite/database.js';
import { createKnowledgeBase } from '../../src/engines/local/knowledge/knowledge-base.js';
import { keywordRankings } from '../../src/engines/local/knowledge/search/hybrid-search.js';
import { testConfig } from './test-config.js';

/**
 * The file of each chunk keywordRankings ranks for `query`, best first, over a real SQLite
 * knowledge base holding `files` (name, text) in one store; `environment` sets chunking.
 */
export async function keywordRankedFiles(
  files: ReadonlyArray<readonly [string, string]>,
  query: string,
  { limit, environment = {} }: { limit: number; environment?: Record<string, string> },
): Promise<Array<string | undefined>> {
  const config = testConfig(environment);
  const database = openDatabase(config.DATA_DIR);
  const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
  try {
    const store = await knowledge.vectorStores.create({ name: 'docs' });
    for (const [fileName, text] of files) {
      const file = await knowledge.uploadFile({ fileName, bytes: Buffer.from(text) }, 'assistants');
      await knowledge.attachFile(store.id, file.id);
    }
    await knowledge.waitForIngestion();
    const fileOf = database.prepare<[number], { file: string }>(
      'SELECT (SELECT file_name FROM kb_files f WHERE f.id = file_id) AS file FROM kb_chunks WHERE rowid = ?',
    );
    const { all } = keywordRankings(database, [store.id], query, limit);
    return all.map((rowid) => fileOf.get(rowid)?.file);
  } finally {
    await knowledge.close();
    database.close();
    config.cleanup();
  }
}
