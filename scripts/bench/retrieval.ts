import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/db/database.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
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
 * and for a plain BM25 baseline over the same chunks. `npm run bench:retrieval`.
 */
const repeats = Number(process.env.BENCH_REPEATS ?? 20);

async function main(): Promise<void> {
  const { files, questions } = loadCorpus();
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-retrieval-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = openDatabase(dataDir);
  const knowledge = createKnowledgeBase({ database, dataDir, config });
  try {
    const store = await knowledge.vectorStores.create({ name: 'git-docs' });
    const ingestStart = performance.now();
    for (const file of files) await knowledge.vectorStores.addFile(store.id, file);
    await knowledge.waitForIngestion(store.id);
    const ingestMs = performance.now() - ingestStart;
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
    const baselineStart = performance.now();
    const baseline = new Bm25Baseline(chunks);
    const baselineIngestMs = performance.now() - baselineStart;

    const threadline = await evaluate(questions, async (query) =>
      (await knowledge.vectorStores.search([store.id], { query, maxNumResults: 20 })).map(
        (hit): RankedPassage => ({ fileName: hit.fileName, text: hit.text }),
      ),
    );
    const plain = await evaluate(questions, (query) => Promise.resolve(baseline.search(query, 20)));
    baseline.close();

    console.log(
      `Corpus: ${files.length} files, ${chunks.length} chunks (${config.CHUNK_SIZE_TOKENS}/${config.CHUNK_OVERLAP_TOKENS} tokens), ${questions.length} questions`,
    );
    console.log(
      `Embeddings: ${knowledge.embeddingModel}; weights keyword ${config.RETRIEVAL_KEYWORD_WEIGHT}, vector ${config.RETRIEVAL_VECTOR_WEIGHT}`,
    );
    const rows = [
      ['metric', 'target', 'threadline', 'plain BM25', 'ratio'],
      row('answer hit@5', '≥ 0.92', threadline.answerHit, plain.answerHit),
      row('file recall@5', '≥ 0.80', threadline.fileRecall, plain.fileRecall),
      row('MRR@10', '≥ 0.60', threadline.mrr, plain.mrr),
      row('search p50 (ms)', '≤ 5', threadline.p50, plain.p50),
      row('search p99 (ms)', '', threadline.p99, plain.p99),
      row('search CPU p50', '', threadline.cpuP50, plain.cpuP50),
      row('ingest (ms)', '≤ 10000', ingestMs, baselineIngestMs, 0),
    ];
    for (const cells of rows)
      console.log(cells.map((cell, index) => cell.padEnd(index === 0 ? 16 : 12)).join(' '));
    console.log(
      '(baseline ingest indexes already-chunked text; Threadline ingest includes parsing, chunking, embedding)',
    );
    // On a shared machine wall time includes waiting for a core; CPU time is the work itself.
    console.log(
      `load average while measuring: ${loadavg()[0]?.toFixed(1)} on ${availableParallelism()} cores`,
    );
    if (process.argv.includes('--misses')) {
      for (const miss of threadline.misses) console.log(`miss: ${miss}`);
    }
  } finally {
    await knowledge.close();
    database.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

type Evaluation = {
  answerHit: number;
  fileRecall: number;
  mrr: number;
  p50: number;
  p99: number;
  cpuP50: number;
  misses: string[];
};

async function evaluate(
  questions: readonly Question[],
  search: (query: string) => Promise<RankedPassage[]>,
): Promise<Evaluation> {
  let answerHits = 0;
  let fileHits = 0;
  let reciprocalRanks = 0;
  const misses: string[] = [];
  for (const question of questions) {
    const score = scoreQuestion(question, await search(question.q));
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
  for (let round = 0; round < repeats; round += 1) {
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
    cpuP50: percentile(cpuTimings, 0.5),
    misses,
  };
}

function row(name: string, target: string, ours: number, theirs: number, digits = 2): string[] {
  const ratio = theirs > 0 ? (ours / theirs).toFixed(2) : '—';
  return [name, target, ours.toFixed(digits), theirs.toFixed(digits), ratio];
}

await main();
