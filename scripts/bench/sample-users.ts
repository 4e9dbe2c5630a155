import { mkdtempSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { defaultRepoRoot, sampleDocumentPaths } from '../../server/src/knowledge/sample-knowledge-base.js';

/**
 * A new user's sample documentation, user after user, on one knowledge base with the configured
 * embedder (EMBEDDING_MODEL_DIR for all-MiniLM-L6-v2, EMBEDDINGS=hash for hashed vectors): for
 * each user, the time from adding the sample's files to their store until every file is
 * `completed` plus one search of it (what their first answer waits for), until every vector is
 * computed, and how many files were
 * read versus copied from an identical one (issue #27, "same bytes, same work").
 * Usage: npm run bench:sample-users [-- users]   (default 3)
 */
const users = Number(process.argv[2] ?? 3);

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-sample-users-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = openDatabase(dataDir);
  const knowledge = createKnowledgeBase({ database, dataDir, config });
  try {
    await knowledge.embedderReady();
    const paths = await sampleDocumentPaths();
    const documents = await Promise.all(
      paths.map(async (path) => ({ fileName: relative(defaultRepoRoot, path), bytes: await readFile(path) })),
    );
    const totalBytes = documents.reduce((sum, document) => sum + document.bytes.length, 0);
    console.log(
      `sample: ${documents.length} files, ${(totalBytes / 1024).toFixed(0)} KB; embeddings ${knowledge.embeddingModel}; ` +
        `${availableParallelism()} cores, load average ${loadavg()
          .map((value) => value.toFixed(2))
          .join(' ')}`,
    );
    for (let user = 1; user <= users; user += 1) {
      const before = knowledge.ingestionCounts();
      const started = performance.now();
      const store = await knowledge.vectorStores.create({ name: `user ${user} sample` });
      for (const document of documents)
        await knowledge.vectorStores.addFile(store.id, { ...document, contentType: 'text/markdown' });
      await knowledge.waitUntilSearchable(store.id);
      const hits = await knowledge.vectorStores.search([store.id], {
        query: 'How do I configure the embedding model?',
        maxNumResults: 5,
      });
      const searchable = performance.now() - started;
      await knowledge.waitForIngestion(store.id);
      const elapsed = performance.now() - started;
      const after = knowledge.ingestionCounts();
      console.log(
        `user ${user}: searchable and first search in ${(searchable / 1000).toFixed(2)} s, ` +
          `every vector in ${(elapsed / 1000).toFixed(2)} s ` +
          `(files read ${after.read - before.read}, copied ${after.reused - before.reused}; ${hits.length} hits); ` +
          `load average ${loadavg()[0]?.toFixed(2)}`,
      );
    }
  } finally {
    await knowledge.close();
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
