import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../../../../src/common/index.js';
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

announcePostgresSkip('row-level security of the knowledge base');

const knowledgeTables = [
  'kb_files',
  'kb_file_contents',
  'kb_vector_stores',
  'kb_store_files',
  'kb_file_batches',
  'kb_chunks',
  'kb_ingestion_jobs',
] as const;

const handbook = `# Handbook

## Expenses
Claim travel expenses within thirty days with the receipt attached.
`;

/**
 * Ownership enforced by PostgreSQL itself: the app connects as a role row-level security binds
 * (no superuser, no BYPASSRLS: the test server's `threadline` role), every transaction carries
 * its user in `threadline.owner`, and each table's policy keeps it to that user's rows, so raw
 * SQL with no WHERE clause still reads, changes and deletes nothing of anyone else's.
 */
describe.skipIf(pgInstallDir === undefined)('row-level security of the knowledge base (PostgreSQL)', () => {
  let server: PostgresTestServer;
  let knowledge: PostgresKnowledgeBase;
  let cleanup: () => void;
  /** The app's role, as the app connects. */
  let app: pg.Pool;
  /** The superuser, whom row-level security does not bind: what the rows really hold. */
  let admin: pg.Pool;
  const alice: { storeId: string; fileId: string; batchFileId: string } = {
    storeId: '',
    fileId: '',
    batchFileId: '',
  };

  beforeAll(async () => {
    server = await startPostgresServer();
    const url = await server.createDatabase('row_security');
    const config = testConfig({ ENGINE_DATABASE_URL: url });
    cleanup = config.cleanup;
    knowledge = await createPostgresKnowledgeBase({
      connectionString: url,
      dataDir: config.DATA_DIR,
      config,
    });
    app = new pg.Pool({ connectionString: url });
    admin = new pg.Pool({ connectionString: server.adminUrl('row_security') });
    // node-postgres emits an idle client's lost connection on its pool, which throws with no
    // listener; a test's own pools are no different from the app's (openPostgres listens too).
    for (const pool of [app, admin]) pool.on('error', () => {});
    // Alice's store, file, bytes, chunks and a batch, made through the knowledge base as a request
    // of hers would (the auth hook runs the handler acting for her), and one job still queued.
    await actAs('alice', async () => {
      const store = await knowledge.vectorStores.createWith({ name: 'Handbook' });
      const added = await knowledge.vectorStores.addFile(store.id, {
        fileName: 'handbook.md',
        bytes: Buffer.from(handbook),
      });
      await knowledge.waitForIngestion(store.id);
      const second = await knowledge.uploadFile(
        { fileName: 'more.md', bytes: Buffer.from('# More\n\nanother page') },
        'assistants',
      );
      await knowledge.createFileBatch(store.id, [{ fileId: second.id }]);
      await knowledge.waitForIngestion(store.id);
      Object.assign(alice, { storeId: store.id, fileId: added.id, batchFileId: second.id });
    });
    await admin.query(
      "INSERT INTO kb_ingestion_jobs (vector_store_id, file_id, owner, content, claimed_by) VALUES ($1, $2, 'alice', 'x', 'parked')",
      [alice.storeId, alice.fileId],
    );
  });
  afterAll(async () => {
    await knowledge?.close();
    await app?.end();
    await admin?.end();
    cleanup?.();
    await server?.stop();
  });

  /** Raw SQL in one transaction of the app's role acting for `owner` (as inTransaction sets it). */
  async function asOwner<T>(owner: string, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await app.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT set_config('threadline.owner', $1, true)", [owner]);
      const value = await work(client);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  }

  const countAs = async (owner: string, table: string) =>
    asOwner(owner, async (client) =>
      Number(
        (await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${table}`)).rows[0]?.count,
      ),
    );

  it('the app role is bound by it: not a superuser, no BYPASSRLS, every table FORCEd', async () => {
    const role = await app.query<{ rolsuper: boolean; rolbypassrls: boolean }>(
      'SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user',
    );
    expect(role.rows[0]).toEqual({ rolsuper: false, rolbypassrls: false });
    const tables = await admin.query<{
      relname: string;
      relrowsecurity: boolean;
      relforcerowsecurity: boolean;
    }>(
      'SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY($1) ORDER BY relname',
      [[...knowledgeTables]],
    );
    expect(tables.rows).toHaveLength(knowledgeTables.length);
    for (const table of tables.rows)
      expect(table).toMatchObject({ relrowsecurity: true, relforcerowsecurity: true });
  });

  it('writes the acting user as the owner of every row', async () => {
    for (const table of knowledgeTables) {
      const owners = await admin.query<{ owner: string }>(`SELECT DISTINCT owner FROM ${table}`);
      expect(
        owners.rows.map((row) => row.owner),
        table,
      ).toEqual(['alice']);
    }
    for (const table of knowledgeTables) expect(await countAs('alice', table), table).toBeGreaterThan(0);
  });

  it("keeps another user's transaction from reading, changing or deleting a row, even with no WHERE clause", async () => {
    for (const table of knowledgeTables) {
      const [seen, updated, deleted] = await asOwner('bob', async (client) => [
        (await client.query(`SELECT * FROM ${table}`)).rowCount,
        (await client.query(`UPDATE ${table} SET owner = 'bob'`)).rowCount,
        (await client.query(`DELETE FROM ${table}`)).rowCount,
      ]);
      expect({ table, seen, updated, deleted }).toEqual({ table, seen: 0, updated: 0, deleted: 0 });
      const still = await admin.query<{ count: string }>(
        `SELECT count(*) AS count FROM ${table} WHERE owner = 'alice'`,
      );
      expect(Number(still.rows[0]?.count), table).toBeGreaterThan(0);
    }
    // Nor can a transaction write a row in her name, or one that forgot to say whose it is read any.
    await expect(
      asOwner('bob', (client) =>
        client.query(
          "INSERT INTO kb_vector_stores (id, owner, name, chunk_size, chunk_overlap) VALUES ('vs_x', 'alice', 'x', 800, 400)",
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    expect((await app.query('SELECT * FROM kb_chunks')).rowCount).toBe(0);
    expect((await app.query('SELECT * FROM kb_file_contents')).rowCount).toBe(0);
  });

  it("answers another user through the knowledge base as if Alice's objects did not exist", async () => {
    await actAs('bob', async () => {
      expect(await knowledge.vectorStores.list()).toEqual([]);
      expect(await knowledge.vectorStores.get(alice.storeId)).toBeNull();
      expect(await knowledge.vectorStores.listFiles(alice.storeId)).toEqual([]);
      expect(await knowledge.files.get(alice.fileId)).toBeNull();
      expect(await knowledge.files.content(alice.fileId)).toBeNull();
      expect(await knowledge.files.list()).toEqual([]);
      expect(
        await knowledge.searchDetailed([alice.storeId], {
          query: 'travel expenses receipt',
          maxNumResults: 5,
        }),
      ).toEqual([]);
      expect(await knowledge.files.delete(alice.fileId)).toBe(false);
      expect(await knowledge.vectorStores.delete(alice.storeId)).toBe(false);
    });
    await actAs('alice', async () => {
      const hits = await knowledge.searchDetailed([alice.storeId], {
        query: 'travel expenses receipt',
        maxNumResults: 5,
      });
      expect(hits[0]?.fileId).toBe(alice.fileId);
      expect((await knowledge.files.content(alice.fileId))?.toString()).toBe(handbook);
    });
  });

  it('gives the worker views only what they name: the queue to claim from, counts of every chunk', async () => {
    const asWorker = (worker: string, table: string) =>
      app.connect().then(async (client) => {
        try {
          await client.query('BEGIN');
          await client.query("SELECT set_config('threadline.worker', $1, true)", [worker]);
          return (await client.query(`SELECT * FROM ${table}`)).rowCount;
        } finally {
          await client.query('ROLLBACK');
          client.release();
        }
      });
    expect(await asWorker('ingestion-queue', 'kb_ingestion_jobs')).toBe(1);
    expect(await asWorker('ingestion-queue', 'kb_file_contents')).toBe(0);
    expect(await asWorker('ingestion-queue', 'kb_chunks')).toBe(0);
    expect(await asWorker('corpus-statistics', 'kb_chunks')).toBeGreaterThan(0);
    expect(await asWorker('corpus-statistics', 'kb_files')).toBe(0);
    expect(await asWorker('corpus-statistics', 'kb_file_contents')).toBe(0);
    // adopt-owners sees only rows no user owns yet; Alice's are hers.
    expect(await asWorker('adopt-owners', 'kb_chunks')).toBe(0);
  });

  it("gives rows owned by no user yet their owner from the app's records, else the local user", async () => {
    await admin.query(
      `INSERT INTO kb_vector_stores (id, owner, name, chunk_size, chunk_overlap) VALUES ('vs_old', 'engine', 'Old', 800, 400), ('vs_lost', 'engine', 'Lost', 800, 400);
       INSERT INTO kb_files (id, owner, file_name, bytes) VALUES ('file_old', 'engine', 'old.md', 3);
       INSERT INTO kb_file_contents (file_id, owner, content) VALUES ('file_old', 'engine', 'old');
       INSERT INTO kb_store_files (vector_store_id, file_id, owner, status, chunk_count) VALUES ('vs_old', 'file_old', 'engine', 'completed', 1);
       INSERT INTO kb_chunks (id, owner, vector_store_id, file_id, ordinal, text, index_title, index_headings, index_body, embedding_model)
         VALUES ('chunk_old', 'engine', 'vs_old', 'file_old', 0, 'old', 'old', '', 'old', 'none');`,
    );
    expect(await countAs('carol', 'kb_vector_stores')).toBe(0);
    const records: Record<string, string> = { 'vector_store:vs_old': 'carol', 'file:file_old': 'carol' };
    expect(await knowledge.adoptOwners(async (kind, id) => records[`${kind}:${id}`] ?? null)).toBe(3);
    const owners = await admin.query<{ table: string; owner: string }>(
      `SELECT 'store ' || id AS table, owner FROM kb_vector_stores WHERE id IN ('vs_old', 'vs_lost')
       UNION ALL SELECT 'file', owner FROM kb_files WHERE id = 'file_old'
       UNION ALL SELECT 'bytes', owner FROM kb_file_contents WHERE file_id = 'file_old'
       UNION ALL SELECT 'store file', owner FROM kb_store_files WHERE file_id = 'file_old'
       UNION ALL SELECT 'chunk', owner FROM kb_chunks WHERE id = 'chunk_old' ORDER BY 1`,
    );
    expect(owners.rows).toEqual([
      { table: 'bytes', owner: 'carol' },
      { table: 'chunk', owner: 'carol' },
      { table: 'file', owner: 'carol' },
      { table: 'store file', owner: 'carol' },
      { table: 'store vs_lost', owner: 'local' },
      { table: 'store vs_old', owner: 'carol' },
    ]);
    expect(await countAs('carol', 'kb_chunks')).toBe(1);
    // Nothing is left to give: a second start adopts nothing.
    expect(await knowledge.adoptOwners(async () => 'mallory')).toBe(0);
  });
});
