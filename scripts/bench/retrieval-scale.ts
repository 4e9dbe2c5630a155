import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import {
  hybridSearch,
  keywordRankings,
} from '../../server/src/engines/local/knowledge/search/hybrid-search.js';
import { hashEmbedder } from '../../server/src/engines/local/knowledge/embed/embedder.js';
import { embedLocally } from '../../server/src/engines/local/knowledge/embed/local-embedding.js';
import type { PreparedChunk } from '../../server/src/engines/local/knowledge/ingest/prepare-chunks.js';
import { searchTerms } from '../../server/src/engines/local/knowledge/search/search-terms.js';
import { VectorCache } from '../../server/src/engines/local/knowledge/embed/vector-cache.js';
import { loadCorpus, percentile } from './retrieval-corpus.js';
import { measurePostgresScale } from './retrieval-scale-postgres.js';

/**
 * Search latency at scale: `npm run bench:retrieval-scale [-- chunks]`.
 * Builds CHUNKS synthetic chunks (default 100,000) of ~150 words sampled from the Git docs'
 * sentences — realistic vocabulary and term frequencies — straight into the index (parsing and
 * chunking are measured by the corpus bench), then times hybrid searches with the corpus questions;
 * then the same on PostgreSQL (retrieval-scale-postgres.ts).
 */
const chunkTarget = Number(process.argv.find((argument) => /^\d+$/.test(argument)) ?? 100_000);
const chunksPerFile = 1000;
const searches = 200;

async function main(): Promise<void> {
  const { files, questions, paraphrases } = loadCorpus();
  const sentences = files
    .flatMap((file) => file.bytes.toString('utf8').split(/(?<=[.!?])\s+|\n\s*\n/))
    .map((sentence) => sentence.replace(/\s+/g, ' ').trim())
    .filter((sentence) => sentence.split(' ').length >= 4);
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    return seed / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-scale-'));
  // The scale benchmark measures the hashed vectors' index; the model would take hours to embed 100k chunks.
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent', EMBEDDINGS: 'hash' });
  const database = openDatabase(dataDir);
  const knowledge = createKnowledgeBase({ database, dataDir, config });
  try {
    const store = await knowledge.vectorStores.create({ name: 'scale' });
    const buildStart = performance.now();
    let built = 0;
    let chunkNumber = 0;
    for (let fileIndex = 0; built < chunkTarget; fileIndex += 1) {
      const title = pick(files).fileName.replace(/\.txt$/, '');
      const stored = await knowledge.uploadFile(
        { fileName: `${title}-${fileIndex}.txt`, bytes: Buffer.from(title) },
        'assistants',
      );
      knowledge.store.upsertStoreFile(store.id, stored.id);
      const chunks: PreparedChunk[] = [];
      const count = Math.min(chunksPerFile, chunkTarget - built);
      for (let index = 0; index < count; index += 1) {
        let text = '';
        while (text.split(' ').length < 150) text += `${pick(sentences)} `;
        const analyse = (value: string) => searchTerms(value, { keepStopWords: true }).join(' ');
        chunks.push({
          text,
          embeddingText: `${title}\n${text}`,
          embeddingContext: title,
          documentSummary: title,
          start: 0,
          end: text.length,
          index: { title: analyse(title), headings: '', body: analyse(text) },
        });
      }
      const embeddings = chunks.map((chunk) => embedLocally(chunk.embeddingText));
      knowledge.store.completeIngestion(
        store.id,
        stored.id,
        chunks,
        embeddings,
        hashEmbedder.model,
        () => `chunk_scale_${chunkNumber++}`,
      );
      built += count;
      if (fileIndex % 20 === 0) process.stdout.write(`\rbuilt ${built} chunks`);
    }
    const buildMs = performance.now() - buildStart;
    process.stdout.write('\n');

    // The first search loads the store's vectors into memory (and builds the column index
    // above its threshold); time it apart.
    const warmStart = performance.now();
    await knowledge.vectorStores.search([store.id], { query: 'warm up', maxNumResults: 20 });
    const warmMs = performance.now() - warmStart;
    // The exact row-scan baseline: the same hybrid search over a cache that never indexes.
    const exact = new VectorCache(knowledge.database, { columnIndexMinChunks: Number.POSITIVE_INFINITY });
    const exactLoadStart = performance.now();
    exact.nearest([store.id], embedLocally('warm up'), 1);
    const exactLoadMs = performance.now() - exactLoadStart;
    const indexed = new VectorCache(knowledge.database);
    const indexLoadStart = performance.now();
    indexed.nearest([store.id], embedLocally('warm up'), 1);
    const indexLoadMs = performance.now() - indexLoadStart;
    const searchInput = (query: string) => ({
      vectorStoreIds: [store.id],
      query,
      queryVector: embedLocally(query),
      maxNumResults: 20,
      scoreThreshold: config.RETRIEVAL_SCORE_THRESHOLD,
      keywordWeight: config.RETRIEVAL_KEYWORD_WEIGHT,
      vectorWeight: config.RETRIEVAL_VECTOR_WEIGHT ?? hashEmbedder.vectorWeight,
    });

    const timings: number[] = [];
    const cpuTimings: number[] = [];
    const exactTimings: number[] = [];
    for (let index = 0; index < searches; index += 1) {
      const query = pick(questions).q;
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await knowledge.vectorStores.search([store.id], { query, maxNumResults: 20 });
      timings.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
      // Interleaved so both paths see the same machine load.
      const exactStart = performance.now();
      hybridSearch(knowledge.database, exact, searchInput(query));
      exactTimings.push(performance.now() - exactStart);
    }
    console.log(
      `Synthetic scale run: ${built} chunks (~150 words each) in one vector store, ${searches} searches`,
    );
    console.log(
      `build (analyse + embed + index, no parsing): ${(buildMs / 1000).toFixed(1)} s; first search (loads vectors): ${warmMs.toFixed(0)} ms`,
    );
    console.log(
      `vector load from SQLite: ${indexed.layoutOf(store.id)} layout ${indexLoadMs.toFixed(0)} ms, row layout ${exactLoadMs.toFixed(0)} ms (index build ≈ the difference)`,
    );
    if (process.env.BENCH_PROFILE)
      profile(
        knowledge,
        exact,
        store.id,
        questions.map((question) => question.q),
      );
    const recall = vectorRecall(
      indexed,
      exact,
      store.id,
      questions.map((question) => question.q),
    );
    console.log(
      `vector list vs exact scan over the ${questions.length} questions: recall@10 ${recall.at10.toFixed(3)} (target ≥ 0.95), recall@60 ${recall.at60.toFixed(3)}`,
    );
    const sameHybrid = questions.filter((question) => {
      const ids = (cache: VectorCache) =>
        hybridSearch(knowledge.database, cache, searchInput(question.q))
          .map((result) => result.chunkId)
          .join();
      return ids(indexed) === ids(exact);
    }).length;
    console.log(
      `hybrid top-20 identical to the exact-scan search for ${sameHybrid}/${questions.length} questions`,
    );
    console.log(
      `hybrid search p50 ${percentile(timings, 0.5).toFixed(1)} ms (target ≤ 50), p99 ${percentile(timings, 0.99).toFixed(1)} ms`,
    );
    console.log(
      `exact-scan baseline (same run, interleaved): p50 ${percentile(exactTimings, 0.5).toFixed(1)} ms, p99 ${percentile(exactTimings, 0.99).toFixed(1)} ms`,
    );
    // On a shared machine wall time includes waiting for a core; CPU time is the work itself.
    console.log(
      `hybrid search CPU time p50 ${percentile(cpuTimings, 0.5).toFixed(1)} ms; load average ${loadavg()[0]?.toFixed(1)}`,
    );
  } finally {
    await knowledge.close();
    database.close();
    if (process.env.BENCH_KEEP_DATA) console.log(`kept data dir ${dataDir}`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
  // The same chunks and questions on the shared engine database (BENCH_POSTGRES=0 skips it).
  await measurePostgresScale({ files, questions, paraphrases }, config, chunkTarget);
}

/** Share of the exact scan's top 10 (and top 60) that the store's own vector list returns. */
function vectorRecall(
  indexed: VectorCache,
  exact: VectorCache,
  vectorStoreId: string,
  queries: readonly string[],
): { at10: number; at60: number } {
  let found10 = 0;
  let found60 = 0;
  for (const query of queries) {
    const vector = embedLocally(query);
    const got = indexed.nearest([vectorStoreId], vector, 60);
    const truth = exact.nearest([vectorStoreId], vector, 60);
    const top10 = new Set(got.slice(0, 10));
    const top60 = new Set(got);
    found10 +=
      truth.slice(0, 10).filter((rowid) => top10.has(rowid)).length / Math.max(1, Math.min(10, truth.length));
    found60 += truth.filter((rowid) => top60.has(rowid)).length / Math.max(1, truth.length);
  }
  return { at10: found10 / queries.length, at60: found60 / queries.length };
}

function profile(
  knowledge: ReturnType<typeof createKnowledgeBase>,
  exact: VectorCache,
  vectorStoreId: string,
  queries: string[],
): void {
  const parts = { keyword: [] as number[], vector: [] as number[], 'exact vector': [] as number[] };
  const cpuMs = (start: NodeJS.CpuUsage) => {
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (const query of queries) {
    let start = process.cpuUsage();
    keywordRankings(knowledge.database, [vectorStoreId], query, 60);
    parts.keyword.push(cpuMs(start));
    start = process.cpuUsage();
    knowledge.vectors.nearest([vectorStoreId], embedLocally(query), 60);
    parts.vector.push(cpuMs(start));
    start = process.cpuUsage();
    exact.nearest([vectorStoreId], embedLocally(query), 60);
    parts['exact vector'].push(cpuMs(start));
  }
  for (const [name, values] of Object.entries(parts))
    console.log(`${name} CPU p50 ${percentile(values, 0.5).toFixed(2)} ms`);
}

await main();
