import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/db/database.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { keywordRankings } from '../../server/src/engines/local/knowledge/hybrid-search.js';
import { embedLocally } from '../../server/src/engines/local/knowledge/local-embedding.js';
import type { PreparedChunk } from '../../server/src/engines/local/knowledge/prepare-chunks.js';
import { searchTerms } from '../../server/src/engines/local/knowledge/search-terms.js';
import { loadCorpus, percentile } from './retrieval-corpus.js';

/**
 * Search latency at scale: `npm run bench:retrieval-scale [-- chunks]`.
 * Builds CHUNKS synthetic chunks (default 100,000) of ~150 words sampled from the Git docs'
 * sentences — realistic vocabulary and term frequencies — straight into the index (parsing and
 * chunking are measured by the corpus bench), then times hybrid searches with the corpus questions.
 */
const chunkTarget = Number(process.argv.find((argument) => /^\d+$/.test(argument)) ?? 100_000);
const chunksPerFile = 1000;
const searches = 200;

async function main(): Promise<void> {
  const { files, questions } = loadCorpus();
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
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
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
          index: { title: analyse(title), headings: '', body: analyse(text) },
        });
      }
      const embeddings = chunks.map((chunk) => embedLocally(chunk.embeddingText));
      knowledge.store.completeIngestion(
        store.id,
        stored.id,
        chunks,
        embeddings,
        knowledge.embeddingModel,
        () => `chunk_scale_${chunkNumber++}`,
      );
      built += count;
      if (fileIndex % 20 === 0) process.stdout.write(`\rbuilt ${built} chunks`);
    }
    const buildMs = performance.now() - buildStart;
    process.stdout.write('\n');

    // The first search loads the store's vectors into memory; time it apart.
    const warmStart = performance.now();
    await knowledge.vectorStores.search([store.id], { query: 'warm up', maxNumResults: 20 });
    const warmMs = performance.now() - warmStart;

    const timings: number[] = [];
    const cpuTimings: number[] = [];
    for (let index = 0; index < searches; index += 1) {
      const query = pick(questions).q;
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await knowledge.vectorStores.search([store.id], { query, maxNumResults: 20 });
      timings.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
    }
    console.log(
      `Synthetic scale run: ${built} chunks (~150 words each) in one vector store, ${searches} searches`,
    );
    console.log(
      `build (analyse + embed + index, no parsing): ${(buildMs / 1000).toFixed(1)} s; first search (loads vectors): ${warmMs.toFixed(0)} ms`,
    );
    if (process.env.BENCH_PROFILE)
      profile(
        knowledge,
        store.id,
        questions.map((question) => question.q),
      );
    console.log(
      `hybrid search p50 ${percentile(timings, 0.5).toFixed(1)} ms (target ≤ 50), p99 ${percentile(timings, 0.99).toFixed(1)} ms`,
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
}

function profile(
  knowledge: ReturnType<typeof createKnowledgeBase>,
  vectorStoreId: string,
  queries: string[],
): void {
  const parts = { keyword: [] as number[], vector: [] as number[] };
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
  }
  for (const [name, values] of Object.entries(parts))
    console.log(`${name} CPU p50 ${percentile(values, 0.5).toFixed(2)} ms`);
}

await main();
