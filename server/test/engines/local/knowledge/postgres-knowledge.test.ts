import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embedLocally } from '../../../../src/engines/local/knowledge/embed/local-embedding.js';
import {
  prepareChunks,
  type PreparedChunk,
} from '../../../../src/engines/local/knowledge/ingest/prepare-chunks.js';
import {
  PostgresKnowledge,
  vectorIndexName,
  windowDimensions,
  type IngestionJob,
} from '../../../../src/engines/local/knowledge/postgres-knowledge.js';
import {
  nearestChunks,
  type PostgresSearchInput,
} from '../../../../src/engines/local/knowledge/search/postgres-search.js';
import { searchTerms } from '../../../../src/engines/local/knowledge/search/search-terms.js';
import { createPostgresTermStatistics } from '../../../../src/engines/local/knowledge/search/postgres-term-statistics.js';
import { postgresKnowledgeMigrations } from '../../../../src/engines/local/knowledge/postgres-knowledge-schema.js';
import { migratePostgres, openPostgres } from '../../../../src/postgres/database.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../../helpers/postgres-server.js';

announcePostgresSkip('knowledge in PostgreSQL');

const rebase = `# git-rebase(1)

## NAME
git-rebase - Reapply commits on top of another base tip

## DESCRIPTION
If <branch> is specified, git rebase will perform an automatic git switch <branch> before doing
anything else. Use --interactive to edit, squash or reorder the commits being replayed.
`;
const stash = `# git-stash(1)

## NAME
git-stash - Stash the changes in a dirty working directory away

## DESCRIPTION
Use git stash when you want to record the current state of the working directory and the index,
but want to go back to a clean working directory.
`;

const hashModel = 'hash-256';
const searchInput = (query: string, overrides: Partial<PostgresSearchInput> = {}): PostgresSearchInput => ({
  query,
  queryVector: embedLocally(query),
  queryModel: hashModel,
  maxNumResults: 5,
  scoreThreshold: 0,
  keywordWeight: 1,
  vectorWeight: 1,
  ...overrides,
});

/** What an instance does with a claimed job: parse (Markdown here), chunk, embed, commit. */
async function ingest(knowledge: PostgresKnowledge, job: IngestionJob): Promise<boolean> {
  const chunks = prepareChunks(job.fileName, job.content.toString('utf8'), {
    maxTokens: job.chunkSize,
    overlapTokens: job.chunkOverlap,
  });
  return knowledge.completeJob(
    job,
    chunks,
    chunks.map((chunk) => embedLocally(chunk.embeddingText)),
    hashModel,
  );
}

describe.skipIf(pgInstallDir === undefined)('knowledge in PostgreSQL (real server, pgvector 0.8.5)', () => {
  let server: PostgresTestServer;
  let pool: pg.Pool;
  /** The superuser's view, which row-level security does not bind: what the rows really hold. */
  let admin: pg.Pool;
  let knowledge: PostgresKnowledge;
  beforeAll(async () => {
    server = await startPostgresServer();
    pool = openPostgres(await server.createDatabase('knowledge'));
    admin = openPostgres(server.adminUrl('knowledge'));
    knowledge = await PostgresKnowledge.open(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await admin?.end();
    await server?.stop();
  });

  it('makes an uploaded file searchable when its job commits, not before', async () => {
    const store = await knowledge.createStore('alice', { name: 'Git docs' });
    const added = await knowledge.addFile('alice', store.id, {
      fileName: 'git-rebase.txt',
      bytes: Buffer.from(rebase),
    });
    await knowledge.addFile('alice', store.id, { fileName: 'git-stash.txt', bytes: Buffer.from(stash) });
    expect(added).not.toBeNull();
    expect(await knowledge.fileStatus('alice', store.id, added!.fileId)).toMatchObject({
      status: 'in_progress',
    });
    expect(await knowledge.search('alice', [store.id], searchInput('reorder commits interactively'))).toEqual(
      [],
    );

    for (let job = await knowledge.claimJob('a', 60_000); job; job = await knowledge.claimJob('a', 60_000)) {
      expect(await ingest(knowledge, job)).toBe(true);
    }
    expect(await knowledge.fileStatus('alice', store.id, added!.fileId)).toMatchObject({
      status: 'completed',
    });
    const hits = await knowledge.search('alice', [store.id], searchInput('reorder commits interactively'));
    expect(hits[0]).toMatchObject({ fileName: 'git-rebase.txt', vectorStoreId: store.id });
    expect(hits[0]!.keywordRank).toBe(1);
    expect(hits[0]!.vectorRank).not.toBeNull();
    expect(hits[0]!.score).toBeGreaterThan(hits.at(-1)!.score - 1e-9);
    // Keyword only and vector only each still find it.
    const keywordOnly = await knowledge.search(
      'alice',
      [store.id],
      searchInput('squash', { vectorWeight: 0 }),
    );
    expect(keywordOnly.map((hit) => hit.fileName)).toEqual(['git-rebase.txt']);
    const stashHits = await knowledge.search(
      'alice',
      [store.id],
      searchInput('dirty working directory', { keywordWeight: 0 }),
    );
    expect(stashHits[0]?.fileName).toBe('git-stash.txt');
  });

  it('keeps every store to its owner: another user finds, adds to and searches nothing in it', async () => {
    const store = await knowledge.createStore('alice', { name: 'Private' });
    await knowledge.addFile('alice', store.id, { fileName: 'git-stash.txt', bytes: Buffer.from(stash) });
    for (let job = await knowledge.claimJob('a', 60_000); job; job = await knowledge.claimJob('a', 60_000))
      await ingest(knowledge, job);
    expect(await knowledge.getStore('alice', store.id)).toMatchObject({ name: 'Private' });
    expect(await knowledge.getStore('bob', store.id)).toBeNull();
    expect(
      await knowledge.addFile('bob', store.id, { fileName: 'x.md', bytes: Buffer.from('x') }),
    ).toBeNull();
    expect(await knowledge.search('bob', [store.id], searchInput('stash'))).toEqual([]);
    expect(await knowledge.deleteStore('bob', store.id)).toBe(false);
    expect((await knowledge.search('alice', [store.id], searchInput('stash'))).length).toBeGreaterThan(0);
  });

  it('hands each job to one worker at a time (SKIP LOCKED), and a dead worker’s job to another after its lease', async () => {
    const store = await knowledge.createStore('carol', { name: 'Batch' });
    for (let index = 0; index < 6; index++) {
      await knowledge.addFile('carol', store.id, {
        fileName: `f${index}.md`,
        bytes: Buffer.from(`# File ${index}\n\nbody ${index}`),
      });
    }
    // Three instances, each with its own pool, claiming at once.
    const pools = [
      openPostgres(await databaseUrl()),
      openPostgres(await databaseUrl()),
      openPostgres(await databaseUrl()),
    ];
    try {
      const instances = await Promise.all(pools.map((instancePool) => PostgresKnowledge.open(instancePool)));
      const claimed = await Promise.all(
        instances.map((instance, index) => instance.claimJob(`worker-${index}`, 60_000)),
      );
      const keys = claimed.map((job) => `${job?.vectorStoreId}/${job?.fileId}`);
      expect(claimed.every((job) => job !== null)).toBe(true);
      expect(new Set(keys).size).toBe(3);

      // A worker whose lease has run out (0 ms here: it died, or stalled) loses its job to the next
      // claim, and its late commit is refused.
      const dead = await instances[1]!.claimJob('worker-1b', 0);
      expect(dead).not.toBeNull();
      const retaken = await instances[2]!.claimJob('worker-2b', 60_000);
      expect(retaken?.fileId).toBe(dead?.fileId);
      expect(await ingest(instances[1]!, dead!)).toBe(false);
      expect(await ingest(instances[2]!, retaken!)).toBe(true);
      // The rest of the batch, shared by whoever asks first; every file ends completed.
      const taken = new Map<string, number>();
      await Promise.all(
        instances.map(async (instance, index) => {
          for (
            let job = await instance.claimJob(`drain-${index}`, 60_000);
            job;
            job = await instance.claimJob(`drain-${index}`, 60_000)
          ) {
            expect(await ingest(instance, job)).toBe(true);
            taken.set(`drain-${index}`, (taken.get(`drain-${index}`) ?? 0) + 1);
          }
        }),
      );
      expect([...taken.values()].reduce((sum, count) => sum + count, 0)).toBe(2);
      for (const [index, job] of claimed.entries()) expect(await ingest(instances[index]!, job!)).toBe(true);
      const statuses = await admin.query<{ status: string }>(
        'SELECT status FROM kb_store_files WHERE vector_store_id = $1',
        [store.id],
      );
      expect(statuses.rows.map((row) => row.status)).toEqual(Array(6).fill('completed'));
    } finally {
      for (const instancePool of pools) await instancePool.end();
    }
  });

  it('searches a small store beside a large one without losing its results to the store filter', async () => {
    const dimensions = 8;
    const model = 'synthetic-8';
    const unit = (first: number, seed: number) => {
      const vector = new Float32Array(dimensions);
      vector[0] = first;
      for (let index = 1; index < dimensions; index++) vector[index] = Math.sin(seed * (index + 1)) * 0.05;
      return vector;
    };
    const chunk = (text: string): PreparedChunk => ({
      text,
      embeddingText: text,
      embeddingContext: '',
      documentSummary: '',
      start: 0,
      end: text.length,
      index: { title: 'synthetic', headings: '', body: text },
    });
    const fill = async (owner: string, name: string, count: number, first: number) => {
      const store = await knowledge.createStore(owner, { name });
      await knowledge.addFile(owner, store.id, { fileName: `${name}.txt`, bytes: Buffer.from(name) });
      const job = await knowledge.claimJob(`filler-${name}`, 60_000);
      expect(job?.vectorStoreId).toBe(store.id);
      const chunks = Array.from({ length: count }, (_, index) => chunk(`${name} ${index}`));
      const vectors = chunks.map((_, index) => unit(first, index + 1));
      expect(await knowledge.completeJob(job!, chunks, vectors, model)).toBe(true);
      return store;
    };
    const large = await fill('dave', 'large', 3000, 1);
    // Far from the query, but not pointing away from it: a chunk at or past a right angle ranks
    // by meaning in neither backend (VectorCache.nearest keeps only positive similarities).
    const small = await fill('dave', 'small', 5, 0.3);
    const query = unit(1, 0.5);
    const input = {
      ...searchInput('', { keywordWeight: 0, maxNumResults: 20 }),
      queryVector: query,
      queryModel: model,
    };

    // What a shared index filtered after the walk returns (Open WebUI #30135): nothing. The
    // planner could otherwise pick the store's B-tree index (an exact, filtered scan) whenever its
    // statistics favour it, so the store indexes are dropped inside a transaction that is rolled
    // back, and the plan is checked to be the HNSW walk before its rows are counted.
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('DROP INDEX kb_chunks_store, kb_chunks_pair');
      await client.query("SET LOCAL hnsw.iterative_scan = 'off'");
      await client.query('SET LOCAL enable_seqscan = off');
      const postFiltered = `SELECT id FROM kb_chunks WHERE embedding_model = '${model}' AND vector_dims(embedding) = ${dimensions}
         AND vector_store_id = $1 ORDER BY (embedding::vector(${dimensions})) <=> $2::vector(${dimensions}) LIMIT 20`;
      const parameters = [small.id, `[${Array.from(query).join(',')}]`];
      const plan = await client.query(`EXPLAIN ${postFiltered}`, parameters);
      expect(plan.rows.map((row: Record<string, string>) => Object.values(row)[0]).join('\n')).toContain(
        vectorIndexName(model, dimensions),
      );
      const post = await client.query(postFiltered, parameters);
      expect(post.rows.length).toBeLessThan(5);
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }

    // Through the index with iterative scans (exact scans off), and exactly: all five either way.
    for (const exactScanLimit of [0, undefined]) {
      const hits = await knowledge.search('dave', [small.id], { ...input, exactScanLimit });
      expect(hits.map((hit) => hit.vectorStoreId)).toEqual(Array(5).fill(small.id));
    }
    // …and through the index path alone all five come back. Whether the walk reaches a far-off
    // five-vector cluster depends on how the graph was built (bulk inserts can leave it poorly
    // linked), so either the walk found them or the exact fallback did — never fewer than five.
    const walked = await nearestChunks(pool, 'dave', [small.id], query, model, 60, 0);
    expect(['hnsw', 'hnsw, then exact']).toContain(walked.method);
    expect(walked.ids).toHaveLength(5);
    const largeHits = await knowledge.search('dave', [large.id], { ...input, exactScanLimit: 0 });
    expect(largeHits).toHaveLength(20);

    // The large path walks the model's HNSW index.
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT id FROM kb_chunks WHERE embedding_model = '${model}' AND vector_dims(embedding) = ${dimensions}
       AND owner = 'dave' AND vector_store_id = ANY($1) ORDER BY (embedding::vector(${dimensions})) <=> $2::vector(${dimensions}) LIMIT 60`,
      [[large.id], `[${Array.from(query).join(',')}]`],
    );
    expect(plan.rows.map((row) => row['QUERY PLAN']).join('\n')).toContain(
      vectorIndexName(model, dimensions),
    );
  });

  it('keeps a chunk embedded in several windows (past HNSW’s 2,000 dimensions) and finds it by its nearest window', async () => {
    // MiniLM embeds a long chunk as one 384-d vector per 128-word-piece window, end to end (as
    // SQLite keeps them): six windows are 2,304 dimensions, which pgvector cannot index with HNSW.
    const dimensions = 384;
    const model = 'windowed-384';
    const direction = (axis: number, weight = 1) => {
      const vector = new Float32Array(dimensions);
      vector[axis] = weight;
      vector[(axis + 1) % dimensions] = Math.sqrt(1 - weight * weight);
      return vector;
    };
    const joined = (...windows: Float32Array[]) => {
      const vector = new Float32Array(windows.length * dimensions);
      windows.forEach((window, index) => vector.set(window, index * dimensions));
      return vector;
    };
    const chunk = (text: string): PreparedChunk => ({
      text,
      embeddingText: text,
      embeddingContext: '',
      documentSummary: '',
      start: 0,
      end: text.length,
      index: { title: 'windows', headings: '', body: text },
    });
    const store = await knowledge.createStore('erin', { name: 'windows' });
    await knowledge.addFile('erin', store.id, { fileName: 'long.md', bytes: Buffer.from('long') });
    const job = await knowledge.claimJob('windows-worker', 60_000);
    expect(job?.vectorStoreId).toBe(store.id);
    const sixWindows = joined(
      direction(10),
      direction(11),
      direction(12),
      direction(13),
      direction(0, 0.99),
      direction(14),
    );
    // The first chunk is the long one: the index used to be made for the first vector's length.
    const chunks = [chunk('long chunk'), chunk('one window'), chunk('two windows')];
    const vectors = [sixWindows, direction(0, 0.8), joined(direction(20), direction(0, 0.3))];
    expect(await knowledge.completeJob(job!, chunks, vectors, model)).toBe(true);

    const query = direction(0);
    const texts = async (exactLimit: number) => {
      const found = await nearestChunks(pool, 'erin', [store.id], query, model, 3, exactLimit);
      const rows = await admin.query<{ id: string; text: string }>(
        'SELECT id, text FROM kb_chunks WHERE id = ANY($1)',
        [found.ids],
      );
      const byId = new Map(rows.rows.map((row) => [row.id, row.text]));
      return { method: found.method, texts: found.ids.map((id) => byId.get(id)) };
    };
    // The long chunk's fifth window is the nearest of all; the two-window one is the farthest.
    expect(await texts(20_000)).toEqual({
      method: 'exact',
      texts: ['long chunk', 'one window', 'two windows'],
    });
    // Through the index (the one-window vectors) and the exact window scan beside it: the same.
    expect(await texts(0)).toEqual({ method: 'hnsw', texts: ['long chunk', 'one window', 'two windows'] });
    expect(windowDimensions([2304, 384, 768])).toBe(384);
    expect(windowDimensions([768, 1536])).toBe(768);
    expect(windowDimensions([])).toBe(0);
  });

  it('ranks keywords by BM25 as SQLite’s FTS5 does: term counts per field, title idf from titles', async () => {
    // A database of its own: BM25's N, mean length and document counts are database-wide.
    const ownPool = openPostgres(await server.createDatabase('bm25'));
    const ownAdmin = openPostgres(server.adminUrl('bm25'));
    try {
      const own = await PostgresKnowledge.open(ownPool);
      const chunk = (title: string, body: string): PreparedChunk => ({
        text: body,
        embeddingText: body,
        embeddingContext: '',
        documentSummary: '',
        start: 0,
        end: body.length,
        // Analysed as ingestion does (search-terms.ts): `rebase` is indexed as `rebas`.
        index: { title: searchTerms(title).join(' '), headings: '', body: searchTerms(body).join(' ') },
      });
      const store = await own.createStore('erin', { name: 'bm25' });
      await own.addFile('erin', store.id, { fileName: 'notes.txt', bytes: Buffer.from('notes') });
      const job = await own.claimJob('bm25', 60_000);
      const chunks = [
        // Three mentions in a longer chunk outrank one in a short chunk (FTS5 counts hits); by
        // presence alone, the shorter chunk would win.
        chunk('notes', 'rebase rebase rebase onto upstream then push the branch again'),
        chunk('notes', 'rebase onto upstream'),
        // `all` is in most chunks' bodies (idf floored) but one title only: FTS5's `title : …`
        // list ranks that chunk by it.
        chunk('all about zebra', 'stripes everywhere'),
        ...Array.from({ length: 6 }, (_, index) => chunk('notes', `all filler text ${index}`)),
        chunk('notes', 'a lone giraffe'),
      ];
      expect(
        await own.completeJob(
          job!,
          chunks,
          chunks.map((item) => embedLocally(item.embeddingText)),
          hashModel,
        ),
      ).toBe(true);
      // The frequencies BM25 reads: {lexeme: [title, headings, body]}, filled by the database.
      const stored = await ownAdmin.query<{ counts: unknown }>(
        "SELECT term_frequencies -> 'rebas' AS counts FROM kb_chunks WHERE text LIKE 'rebase rebase%'",
      );
      expect(stored.rows[0]?.counts).toEqual([0, 0, 3]);

      const statistics = createPostgresTermStatistics(ownPool);
      await statistics.refresh();
      const keyword = (query: string) =>
        own.search('erin', [store.id], searchInput(query, { vectorWeight: 0, bm25: statistics.bm25 }));
      const rebased = await keyword('rebase');
      expect(rebased.map((hit) => hit.text)).toEqual([chunks[0]!.text, chunks[1]!.text]);
      // Matched on `giraffe` alone (`all` scores nothing over the whole chunks), no title would
      // match; among titles `all` is rare, so its chunk joins the title list.
      const titled = await keyword('all giraffe');
      expect(titled.map((hit) => hit.text)).toContain('stripes everywhere');
      // A follow-up's own words weigh double (EngineSearchRequest.emphasis), as SQLite weighs
      // them: the rarer `giraffe` leads alone; `upstream` counted twice overtakes it.
      const plain = await keyword('upstream giraffe');
      expect(plain[0]?.text).toBe('a lone giraffe');
      const emphasised = await own.search(
        'erin',
        [store.id],
        searchInput('upstream giraffe', {
          vectorWeight: 0,
          bm25: statistics.bm25,
          emphasis: { text: 'upstream', weight: 2 },
        }),
      );
      expect(emphasised[0]?.text).toBe('rebase onto upstream');
    } finally {
      await ownPool.end();
      await ownAdmin.end();
    }
  });

  it('fills the term frequencies of chunks stored before they were kept', async () => {
    const ownPool = openPostgres(await server.createDatabase('before_frequencies'));
    const ownAdmin = openPostgres(server.adminUrl('before_frequencies'));
    try {
      // The schema as it was before the term frequencies (the fourth migration) were kept.
      const before = 3;
      await migratePostgres(ownPool, 'kb', postgresKnowledgeMigrations.slice(0, before));
      await ownPool.query(
        `INSERT INTO kb_vector_stores (id, owner, name, chunk_size, chunk_overlap) VALUES ('vs_old', 'erin', 'old', 800, 400);
         INSERT INTO kb_files (id, owner, file_name, bytes) VALUES ('file_old', 'erin', 'old.txt', 3);
         INSERT INTO kb_store_files (vector_store_id, file_id, owner, status, chunk_count)
           VALUES ('vs_old', 'file_old', 'erin', 'completed', 1);
         INSERT INTO kb_chunks (id, owner, vector_store_id, file_id, ordinal, text, index_title, index_headings,
           index_body, embedding_model)
           VALUES ('chunk_old', 'erin', 'vs_old', 'file_old', 0, 'x', 'git rebas', 'rebas', 'rebas onto rebas', 'none');`,
      );
      await PostgresKnowledge.open(ownPool);
      const stored = await ownAdmin.query<{ frequencies: unknown }>(
        "SELECT term_frequencies AS frequencies FROM kb_chunks WHERE id = 'chunk_old'",
      );
      expect(stored.rows[0]?.frequencies).toEqual({ git: [1, 0, 0], rebas: [1, 1, 2], onto: [0, 0, 1] });
    } finally {
      await ownPool.end();
      await ownAdmin.end();
    }
  });

  async function databaseUrl(): Promise<string> {
    return `postgresql://postgres@/knowledge?host=${encodeURIComponent(server.socketDir)}`;
  }
});
