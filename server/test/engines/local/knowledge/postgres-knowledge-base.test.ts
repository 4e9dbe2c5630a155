import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedLocally } from '../../../../src/engines/local/knowledge/embed/local-embedding.js';
import { prepareChunks } from '../../../../src/engines/local/knowledge/ingest/prepare-chunks.js';
import {
  createPostgresKnowledgeBase,
  type PostgresKnowledgeBase,
} from '../../../../src/engines/local/knowledge/postgres-knowledge-base.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../../helpers/postgres-server.js';
import { testConfig } from '../../../helpers/test-config.js';

announcePostgresSkip('the knowledge base on PostgreSQL');

const rebase = `# git-rebase(1)

## NAME
git-rebase - Reapply commits on top of another base tip

## DESCRIPTION
Use --interactive to edit, squash or reorder the commits being replayed.
`;
const stash = `# git-stash(1)

## NAME
git-stash - Stash the changes in a dirty working directory away

## DESCRIPTION
Use git stash when you want to record the current state of the working directory.
`;

/**
 * The app's knowledge base over one real PostgreSQL database (EMBEDDINGS=hash), as two instances
 * opened side by side: what one stores and ingests, the other lists, reads and searches.
 */
describe.skipIf(pgInstallDir === undefined)('the knowledge base on PostgreSQL (EngineKnowledge)', () => {
  let server: PostgresTestServer;
  let url: string;
  const opened: { knowledge: PostgresKnowledgeBase; cleanup: () => void }[] = [];
  beforeAll(async () => {
    server = await startPostgresServer();
    url = await server.createDatabase('knowledge_base');
  });
  afterAll(async () => {
    for (const { knowledge, cleanup } of opened) {
      await knowledge.close();
      cleanup();
    }
    await server?.stop();
  });

  async function open(): Promise<PostgresKnowledgeBase> {
    const config = testConfig({ ENGINE_DATABASE_URL: url });
    const knowledge = await createPostgresKnowledgeBase({
      connectionString: url,
      dataDir: config.DATA_DIR,
      config,
    });
    opened.push({ knowledge, cleanup: config.cleanup });
    return knowledge;
  }

  it('shares stores, file bytes, ingestion and search between instances', async () => {
    const [first, second] = [await open(), await open()];
    const store = await first.vectorStores.createWith({ name: 'Git', metadata: { team: 'docs' } });
    const added = await first.vectorStores.addFile(store.id, {
      fileName: 'git-rebase.md',
      bytes: Buffer.from(rebase),
    });
    expect(added.status).toBe('in_progress');
    await second.waitForIngestion(store.id);

    expect(await second.vectorStores.getFile(store.id, added.id)).toMatchObject({
      status: 'completed',
      chunkCount: 1,
      meaningIndex: { embeddedChunks: 1, totalChunks: 1 },
    });
    expect((await second.files.content(added.id))?.toString('utf8')).toBe(rebase);
    expect(await second.vectorStoreRecord(store.id)).toMatchObject({ metadata: { team: 'docs' } });
    const hits = await second.vectorStores.search([store.id], { query: 'reorder commits', maxNumResults: 5 });
    expect(hits[0]).toMatchObject({ fileId: added.id, fileName: 'git-rebase.md', keywordRank: 1 });
    expect(hits[0]?.vectorRank).not.toBeNull();
    expect(
      first.ingestionCounts().jobsTaken + second.ingestionCounts().jobsTaken,
      'the one job was taken once',
    ).toBe(1);
    // The answerer's term statistics see the shared chunks (read with the search).
    expect(second.termStatistics.weights(['squash']).get('squash')).toMatchObject({
      chunks: 1,
      isKnown: true,
    });
    expect(second.termStatistics.weights(['risotto']).get('risotto')).toMatchObject({ isKnown: false });
    expect(second.termStatistics.inFile(added.id, ['interact'])).toEqual(new Set(['interact']));

    // Removing on one removes on both.
    expect(await second.vectorStores.removeFile(store.id, added.id)).toBe(true);
    expect(
      await first.vectorStores.search([store.id], { query: 'reorder commits', maxNumResults: 5 }),
    ).toEqual([]);
    expect(await first.files.delete(added.id)).toBe(true);
    expect(await second.files.content(added.id)).toBeNull();
  });

  it('fails a file it cannot read with a clear error, on every instance', async () => {
    const [first, second] = [await open(), await open()];
    const store = await first.vectorStores.create({ name: 'Broken' });
    const added = await first.vectorStores.addFile(store.id, {
      fileName: 'broken.pdf',
      bytes: Buffer.from('not a pdf at all'),
    });
    await first.waitForIngestion(store.id);
    const file = await second.vectorStores.getFile(store.id, added.id);
    expect(file?.status).toBe('failed');
    expect(file?.lastError?.message).not.toBe('');
  });

  it('keeps a chunk without a vector yet at its keyword rank in the vector list', async () => {
    const knowledge = await open();
    const store = await knowledge.vectorStores.create({ name: 'Pending' });
    // Two files committed as an instance would, one without vectors (another model's file,
    // or vectors not in yet): its chunk must not fall below every chunk that has one.
    // As the superuser (row-level security does not bind it); the rows are the local user's,
    // whom the knowledge base acts for outside a request.
    const pool = new pg.Pool({ connectionString: server.adminUrl('knowledge_base') });
    try {
      for (const [name, text, withVectors] of [
        ['git-rebase.md', rebase, false],
        ['git-stash.md', stash, true],
      ] as const) {
        const uploaded = await knowledge.uploadFile(
          { fileName: name, bytes: Buffer.from(text) },
          'assistants',
        );
        await pool.query('BEGIN');
        await pool.query(
          "INSERT INTO kb_store_files (vector_store_id, file_id, owner, status) VALUES ($1, $2, 'local', 'in_progress')",
          [store.id, uploaded.id],
        );
        await pool.query(
          "INSERT INTO kb_ingestion_jobs (vector_store_id, file_id, owner, content, claimed_by) VALUES ($1, $2, 'local', $3, 'test')",
          [store.id, uploaded.id, Buffer.from(text)],
        );
        await pool.query('COMMIT');
        const chunks = prepareChunks(name, text, { maxTokens: 800, overlapTokens: 400 });
        await knowledge.knowledge.completeJob(
          {
            vectorStoreId: store.id,
            fileId: uploaded.id,
            owner: 'local',
            fileName: name,
            content: Buffer.from(text),
            chunkSize: 800,
            chunkOverlap: 400,
            claimedBy: 'test',
          },
          chunks,
          withVectors ? chunks.map((chunk) => embedLocally(chunk.embeddingText)) : [],
          'local-hash-512',
        );
      }
    } finally {
      await pool.end();
    }
    const hits = await knowledge.searchDetailed([store.id], { query: 'squash reorder', maxNumResults: 5 });
    expect(hits[0]).toMatchObject({ fileName: 'git-rebase.md', keywordRank: 1, vectorRank: null });
    // First by keywords and, placed at that rank, first in the vector list too: keyword 1 +
    // vector 0.5 (the hashed embedder's weight) of the best 1 + 0.5 + title 0.3; without the
    // placement it would have its keyword share alone, 1 / 1.8.
    expect(hits[0]!.score).toBeCloseTo(1.5 / 1.8, 6);
  });
});
