import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VectorCache } from '../../../../src/engines/local/knowledge/embed/vector-cache.js';
import type { PreparedChunk } from '../../../../src/engines/local/knowledge/ingest/prepare-chunks.js';
import { storeToken } from '../../../../src/engines/local/knowledge/knowledge-store.js';
import { migrateKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-schema.js';
import { PostgresKnowledge } from '../../../../src/engines/local/knowledge/postgres-knowledge.js';
import { hybridSearch } from '../../../../src/engines/local/knowledge/search/hybrid-search.js';
import { createPostgresTermStatistics } from '../../../../src/engines/local/knowledge/search/postgres-term-statistics.js';
import { searchTerms } from '../../../../src/engines/local/knowledge/search/search-terms.js';
import { openPostgres } from '../../../../src/postgres/database.js';
import { openDatabase } from '../../../../src/sqlite/database.js';
import type { ChunkEmbedder, Embedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import { createMinilmEmbedder } from '../../../../src/engines/local/knowledge/embed/minilm/minilm-embedder.js';
import { sliceChunks } from '../../../../src/engines/local/knowledge/ingest/ingestion-queue.js';
import { createKnowledgeBase } from '../../../../src/engines/local/knowledge/knowledge-base.js';
import { createPostgresKnowledgeBase } from '../../../../src/engines/local/knowledge/postgres-knowledge-base.js';
import { isModelTestSkipped, testModelDir } from '../../../helpers/embedding-model.js';
import { testConfig } from '../../../helpers/test-config.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../../helpers/postgres-server.js';

announcePostgresSkip('PostgreSQL ranks as SQLite does');

/**
 * The same analysed chunks and vectors in both backends, searched with the same query: SQLite is
 * the reference (hybridSearch over FTS5 and the vector scan), and PostgreSQL must return the same
 * chunks in the same order with the same ranks (issue #23: the engine answered worse on
 * PostgreSQL because the two parted on ties and on common words).
 */
const dimensions = 8;
const axis = (index: number, sign = 1) => {
  const vector = new Float32Array(dimensions);
  vector[index] = sign;
  return vector;
};
const joined = (...windows: Float32Array[]) => {
  const vector = new Float32Array(windows.length * dimensions);
  windows.forEach((window, index) => vector.set(window, index * dimensions));
  return vector;
};
/**
 * MiniLM's chunks carry their document's summary vector after their own windows
 * (`w128+summary`): a question about the document as a whole is nearest that summary, so all of
 * its chunks tie exactly.
 */
const summary = axis(0);
const rows: { title: string; headings?: string; body: string; vector: Float32Array }[] = [
  { title: 'zebra guide', body: 'all filler text one', vector: joined(axis(1), summary) },
  // A section path on some chunks only (a plain text file has none): lengths as FTS5 counts them.
  { title: 'zebra guide', headings: 'more', body: 'all filler text two', vector: joined(axis(2), summary) },
  { title: 'zebra guide', body: 'all filler text six', vector: joined(axis(3), summary) },
  { title: 'zebra guide', body: 'a lone giraffe', vector: joined(axis(4), summary) },
  { title: 'all about stripes', body: 'stripes everywhere', vector: joined(axis(5), summary) },
  { title: 'zebra guide', body: 'all filler text ten', vector: joined(axis(6), summary) },
  { title: 'zebra guide', body: 'all filler text eight', vector: joined(axis(7), summary) },
  // A phrase the question writes apart ("check out"): both search its joined form too.
  { title: 'zebra guide', body: 'a sparse checkout', vector: joined(axis(3), summary) },
  // Pointing away from every question here: SQLite's scan never ranks it by meaning.
  { title: 'zebra guide', body: 'all filler text opposite', vector: axis(0, -1) },
];
const model = 'parity-8';
/** The same search on both backends: keyword and vector lists weighed alike, nothing cut off. */
const searchOptions = {
  queryModel: model,
  maxNumResults: 20,
  scoreThreshold: 0,
  keywordWeight: 1,
  vectorWeight: 1,
};
const queries = ['all giraffe', 'zebra', 'stripes all', 'filler', 'all', 'giraffe', 'check out a giraffe'];

type Ranked = { text: string; keywordRank: number | null; vectorRank: number | null };

function onSqlite(query: string, queryVector: Float32Array, dataDir: string): Ranked[] {
  const database = openDatabase(dataDir);
  try {
    migrateKnowledgeBase(database);
    const now = new Date().toISOString();
    database
      .prepare(
        "INSERT OR IGNORE INTO kb_files (id, file_name, bytes, purpose, created_at) VALUES ('file_a', 'a.md', 1, 'assistants', ?)",
      )
      .run(now);
    database
      .prepare(
        "INSERT OR IGNORE INTO kb_vector_stores (id, name, chunk_size, chunk_overlap, created_at) VALUES ('vs_a', 'a', 800, 400, ?)",
      )
      .run(now);
    const count = (database.prepare('SELECT count(*) AS count FROM kb_chunks').get() as { count: number })
      .count;
    if (count === 0) {
      const insertChunk = database.prepare(
        'INSERT INTO kb_chunks (rowid, id, vector_store_id, file_id, ordinal, text, embedding, embedding_model, index_title, index_headings) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      const insertIndex = database.prepare(
        'INSERT INTO kb_chunks_fts (rowid, store, title, headings, body) VALUES (?, ?, ?, ?, ?)',
      );
      rows.forEach((row, index) => {
        const [title, headings, body] = [row.title, row.headings ?? '', row.body].map((text) =>
          searchTerms(text).join(' '),
        );
        const embedding = Buffer.from(row.vector.buffer, row.vector.byteOffset, row.vector.byteLength);
        insertChunk.run(
          index + 1,
          `chunk_${index}`,
          'vs_a',
          'file_a',
          index,
          row.body,
          embedding,
          model,
          title,
          headings,
        );
        insertIndex.run(index + 1, storeToken('vs_a'), title, headings, body);
      });
    }
    return hybridSearch(database, new VectorCache(database), {
      vectorStoreIds: ['vs_a'],
      query,
      queryVector,
      ...searchOptions,
    }).map(({ text, keywordRank, vectorRank }) => ({ text, keywordRank, vectorRank }));
  } finally {
    database.close();
  }
}

describe.skipIf(pgInstallDir === undefined)('PostgreSQL ranks as SQLite does (real server)', () => {
  let server: PostgresTestServer;
  let pool: pg.Pool;
  let knowledge: PostgresKnowledge;
  let storeId = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-parity-'));
  beforeAll(async () => {
    server = await startPostgresServer();
    pool = openPostgres(await server.createDatabase('parity'));
    knowledge = await PostgresKnowledge.open(pool);
    const store = await knowledge.createStore('erin', { name: 'parity' });
    storeId = store.id;
    await knowledge.addFile('erin', store.id, { fileName: 'a.md', bytes: Buffer.from('a') });
    const job = await knowledge.claimJob('parity', 60_000);
    const chunks = rows.map((row): PreparedChunk => ({
      text: row.body,
      embeddingText: row.body,
      embeddingContext: '',
      documentSummary: '',
      start: 0,
      end: row.body.length,
      index: {
        title: searchTerms(row.title).join(' '),
        headings: searchTerms(row.headings ?? '').join(' '),
        body: searchTerms(row.body).join(' '),
      },
    }));
    expect(
      await knowledge.completeJob(
        job!,
        chunks,
        rows.map((row) => row.vector),
        model,
      ),
    ).toBe(true);
  });
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const onPostgres = async (query: string, queryVector: Float32Array): Promise<Ranked[]> => {
    const statistics = createPostgresTermStatistics(pool);
    await statistics.refresh();
    const found = await knowledge.search('erin', [storeId], {
      query,
      queryVector,
      ...searchOptions,
      bm25: statistics.bm25,
    });
    return found.map(({ text, keywordRank, vectorRank }) => ({ text, keywordRank, vectorRank }));
  };

  // The summary is nearest every chunk of the document: ties, broken by the document's order.
  // `all` is in most chunks (idf floored): chunks holding only it still rank, below the rest.
  it.each(queries)('searches "%s" near the document summary as SQLite does', async (query) => {
    const reference = onSqlite(query, summary, dataDir);
    expect(reference.length).toBeGreaterThan(0);
    expect(await onPostgres(query, summary)).toEqual(reference);
  });

  it('finds the joined form of a phrase on both ("check out" → checkout) by keyword', async () => {
    const reference = onSqlite('check out', axis(1), dataDir);
    expect(reference.find((row) => row.text === 'a sparse checkout')?.keywordRank).toBe(1);
    expect(await onPostgres('check out', axis(1))).toEqual(reference);
  });

  it.each(queries)('searches "%s" near one chunk’s own window as SQLite does', async (query) => {
    const reference = onSqlite(query, axis(4), dataDir);
    expect(await onPostgres(query, axis(4))).toEqual(reference);
  });
});

describe.skipIf(pgInstallDir === undefined || isModelTestSkipped)(
  'PostgreSQL stores the vectors SQLite does (real server, all-MiniLM-L6-v2)',
  () => {
    let server: PostgresTestServer;
    let model: ChunkEmbedder;
    beforeAll(async () => {
      server = await startPostgresServer();
      model = await createMinilmEmbedder({ modelDir: testModelDir, dataDir: '.', isDownloadAllowed: false });
    });
    afterAll(async () => {
      await model?.close();
      await server?.stop();
    });

    it('embeds a file of more than one slice in the slices the embedded queue embeds it in', async () => {
      // MiniLM embeds the segments between the chunk boundaries of what it is given: a chunk at
      // a slice's edge has fewer windows than the same chunk embedded with its neighbours, so
      // PostgreSQL must cut a file where SQLite's vector lane does (every sliceChunks chunks).
      const embedder: Embedder = {
        ready: Promise.resolve(model),
        current: () => model,
        close: async () => {},
      };
      const config = testConfig({ CHUNK_SIZE_TOKENS: '100', CHUNK_OVERLAP_TOKENS: '50' });
      const sentence = (index: number) =>
        `Paragraph ${index} says how the tool handles case ${index}: it reads the input, checks option ${index}, and writes the result.`;
      const text = `# Handling\n\n${Array.from({ length: 90 }, (_, index) => sentence(index)).join('\n\n')}\n`;
      const file = { fileName: 'handling.md', bytes: Buffer.from(text) };

      const database = openDatabase(config.DATA_DIR);
      const embedded = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, embedder });
      const sqliteStore = await embedded.vectorStores.create({ name: 'slices' });
      await embedded.vectorStores.addFile(sqliteStore.id, file);
      await embedded.waitForIngestion(sqliteStore.id);
      const onSqliteRows = database
        .prepare<[], { ordinal: number; embedding: Buffer }>(
          'SELECT ordinal, embedding FROM kb_chunks ORDER BY ordinal',
        )
        .all()
        .map((row) =>
          Array.from(
            new Float32Array(
              row.embedding.buffer.slice(
                row.embedding.byteOffset,
                row.embedding.byteOffset + row.embedding.byteLength,
              ),
            ),
          ),
        );
      await embedded.close();
      expect(onSqliteRows.length).toBeGreaterThan(sliceChunks);

      const url = await server.createDatabase('slices');
      const pgDir = mkdtempSync(join(tmpdir(), 'threadline-parity-pg-'));
      const shared = await createPostgresKnowledgeBase({
        connectionString: url,
        dataDir: pgDir,
        config: { ...config, DATA_DIR: pgDir, ENGINE_DATABASE_URL: url },
        embedder,
      });
      const admin = openPostgres(server.adminUrl('slices'));
      try {
        const store = await shared.vectorStores.create({ name: 'slices' });
        await shared.vectorStores.addFile(store.id, file);
        await shared.waitForIngestion(store.id);
        const stored = await admin.query<{ embedding: string }>(
          'SELECT embedding::text AS embedding FROM kb_chunks ORDER BY ordinal',
        );
        const onPostgresRows = stored.rows.map((row) => row.embedding.slice(1, -1).split(',').map(Number));
        // The same number of windows per chunk, and the same values (pgvector keeps float4).
        expect(onPostgresRows.map((row) => row.length)).toEqual(onSqliteRows.map((row) => row.length));
        onPostgresRows.forEach((row, chunk) =>
          row.forEach((value, index) =>
            expect(value).toBeCloseTo(onSqliteRows[chunk]?.[index] ?? Number.NaN, 5),
          ),
        );
      } finally {
        await admin.end();
        await shared.close();
        rmSync(pgDir, { recursive: true, force: true });
      }
    });
  },
);
