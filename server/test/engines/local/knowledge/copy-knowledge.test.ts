import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyKnowledge } from '../../../../src/engines/local/knowledge/copy-knowledge.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { createPostgresKnowledgeBase } from '../../../../src/engines/local/knowledge/postgres-knowledge-base.js';
import { openPostgres } from '../../../../src/postgres/database.js';
import { openDatabase } from '../../../../src/sqlite/database.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../../helpers/postgres-server.js';
import { testConfig } from '../../../helpers/test-config.js';

announcePostgresSkip('copying the knowledge base into PostgreSQL');

const rebase = `# git-rebase(1)\n\n## NAME\ngit-rebase - Reapply commits on top of another base tip\n\n## DESCRIPTION\nUse --interactive to edit, squash or reorder the commits being replayed.\n`;
const stash = `# git-stash(1)\n\n## NAME\ngit-stash - Stash the changes in a dirty working directory away\n`;

describe.skipIf(pgInstallDir === undefined)('copying an SQLite knowledge base into PostgreSQL', () => {
  let server: PostgresTestServer;
  let pool: pg.Pool;
  let url: string;
  const config = testConfig();
  const target = testConfig();
  beforeAll(async () => {
    server = await startPostgresServer();
    url = await server.createDatabase('knowledge_copy');
    pool = openPostgres(url);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    config.cleanup();
    target.cleanup();
  });

  it('copies files, bytes, stores, chunks and vectors once, dry run first; search there finds what it found here', async () => {
    const database = openDatabase(config.DATA_DIR);
    const embedded = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    const store = await embedded.vectorStores.createWith({ name: 'Git', metadata: { team: 'docs' } });
    const added = await embedded.vectorStores.addFile(store.id, {
      fileName: 'git-rebase.md',
      bytes: Buffer.from(rebase),
    });
    await embedded.vectorStores.addFile(store.id, { fileName: 'git-stash.md', bytes: Buffer.from(stash) });
    await embedded.waitForIngestion(store.id);
    const here = await embedded.vectorStores.search([store.id], {
      query: 'reorder commits',
      maxNumResults: 5,
    });
    const chunkCount = embedded.store.countChunks(store.id);

    const dry = await copyKnowledge(database, config.DATA_DIR, pool, { isDryRun: true });
    expect(dry.find((row) => row.table === 'kb_chunks')).toMatchObject({
      inSource: chunkCount,
      copied: chunkCount,
    });
    // As the superuser: row-level security would hide the copies (owned by no user yet) anyway.
    const admin = openPostgres(server.adminUrl('knowledge_copy'));
    const chunksThere = async () =>
      (await admin.query<{ count: number }>('SELECT count(*)::int AS count FROM kb_chunks')).rows[0];
    expect(await chunksThere()).toEqual({ count: 0 });

    const first = await copyKnowledge(database, config.DATA_DIR, pool, { isDryRun: false });
    expect(first.find((row) => row.table === 'kb_files')).toMatchObject({ inSource: 2, copied: 2 });
    const again = await copyKnowledge(database, config.DATA_DIR, pool, { isDryRun: false });
    expect(again.every((row) => row.copied === 0 && row.alreadyThere === row.inSource)).toBe(true);
    expect(await chunksThere()).toEqual({ count: chunkCount });
    await admin.end();
    await embedded.close();
    database.close();

    const shared = await createPostgresKnowledgeBase({
      connectionString: url,
      dataDir: target.DATA_DIR,
      config: target,
    });
    try {
      // The copies belong to no user until the app gives them their owners at start: here none
      // is recorded, so the local user (who the embedded database's objects were for).
      expect(await shared.vectorStoreRecord(store.id)).toBeNull();
      expect(await shared.adoptOwners(async () => null)).toBe(3);
      expect(await shared.vectorStoreRecord(store.id)).toMatchObject({
        name: 'Git',
        metadata: { team: 'docs' },
      });
      expect((await shared.files.content(added.id))?.toString('utf8')).toBe(rebase);
      // The vectors came as they were: every chunk embedded in the model, none re-embedded.
      expect(await shared.vectorStores.getFile(store.id, added.id)).toMatchObject({
        status: 'completed',
        meaningIndex: { embeddedChunks: 1, totalChunks: 1 },
      });
      expect(shared.ingestionCounts().jobsTaken).toBe(0);
      const there = await shared.vectorStores.search([store.id], {
        query: 'reorder commits',
        maxNumResults: 5,
      });
      expect(there[0]).toMatchObject({ fileId: here[0]?.fileId, chunkId: here[0]?.chunkId });
      expect(there[0]?.vectorRank).not.toBeNull();
    } finally {
      await shared.close();
    }
  });
});
