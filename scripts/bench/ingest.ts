import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths, knowledgeFileListSchema, vectorStoreSummarySchema } from '@threadline/shared';
import { docxOf, pdfOf, textOf } from './ingest-documents.js';
import { ingestCorpus } from './ingest-corpus.js';
import { json, sample, startServer, type Samples } from './ingest-server.js';
import { percentile } from './retrieval-corpus.js';

/**
 * Two benchmarks of ingestion (issue #27).
 *
 * `npm run bench:ingest [-- corpus [DIR]]` (the default): on two document sets in one run — the
 * Git docs at ../shared/corpus/git-docs (the product docs when they are not there) and a ≥ 3 MB
 * Markdown set (the installed packages' docs under node_modules) — or on DIR alone; for each:
 * the model's raw throughput (word pieces/s on 1 and N workers), then the real server ingesting
 * the set with hashed vectors and with all-MiniLM-L6-v2 — time until every file is searchable and
 * until every vector is in, the pipeline's share of the raw throughput, `/health` and chat
 * latency while the vectors are computed. See ingest-corpus.ts.
 *
 * `npm run bench:ingest -- largest [scale]`: responsiveness while the largest accepted documents
 * ingest: `/health` latency and chat-stream latency (time to first event, and the longest gap
 * between events of a stream), sampled continuously against the real server process, first with
 * nothing ingesting, then while a text file, a PDF and a DOCX of the largest accepted size ingest
 * one after another. Target: p99 under 100 ms throughout. Scale 0.01–1 of MAX_UPLOAD_BYTES,
 * default 1: 50 MB (a bare number is taken as `largest` with that scale, as before).
 */
const mode = process.argv[2] === undefined || process.argv[2] === 'corpus' ? 'corpus' : 'largest';
const scale = Number((process.argv[2] === 'largest' ? process.argv[3] : process.argv[2]) ?? 1);
if (mode === 'largest' && !(scale >= 0.01 && scale <= 1)) {
  console.error(
    'usage: npm run bench:ingest [-- corpus [DIR] | largest [scale]], scale from 0.01 to 1 (default 1)',
  );
  process.exit(2);
}
const maxUploadBytes = 50 * 1024 * 1024;
const targetBytes = Math.floor(maxUploadBytes * scale) - 4096;
const baselineMs = 10_000;
const settleTimeoutMs = 15 * 60_000;

async function ingest(baseUrl: string, fileName: string, bytes: Buffer) {
  const store = await json(
    await fetch(`${baseUrl}${apiPaths.vectorStores}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: fileName }),
    }),
    (value) => vectorStoreSummarySchema.parse(value),
  );
  const started = performance.now();
  const form = new FormData();
  form.append('file', new Blob([bytes]), fileName);
  await json(
    await fetch(`${baseUrl}${apiPaths.vectorStoreFiles(store.id)}`, { method: 'POST', body: form }),
    (value) => knowledgeFileListSchema.parse(value),
  );
  for (;;) {
    const files = await json(await fetch(`${baseUrl}${apiPaths.vectorStoreFiles(store.id)}`), (value) =>
      knowledgeFileListSchema.parse(value),
    );
    const file = files.data[0];
    if (file && file.status !== 'in_progress') {
      return { seconds: (performance.now() - started) / 1000, status: file.status, file };
    }
    if (performance.now() - started > settleTimeoutMs)
      return { seconds: Number.NaN, status: 'timeout', file };
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const ms = (value: number) => (Number.isNaN(value) ? '—' : value.toFixed(1));
function row(name: string, samples: Samples, note = '') {
  const cells = [samples.health, samples.firstEvent, samples.gap].flatMap((values) => [
    ms(percentile(values, 0.5)),
    ms(percentile(values, 0.99)),
  ]);
  const loop = samples.eventLoop
    ? `${samples.eventLoop.p99.toFixed(1)} / ${samples.eventLoop.max.toFixed(1)}`
    : '—';
  console.log(`| ${name} | ${cells.join(' | ')} | ${loop} | ${samples.health.length} | ${note} |`);
}

async function main(): Promise<void> {
  // Made first: generating them takes seconds of this process's CPU, which must not fall inside a
  // measurement (or leave keep-alive sockets idle long enough for the server to close them).
  const documents: [string, Buffer][] = [
    ['largest.txt', textOf(targetBytes)],
    ['largest.pdf', pdfOf(targetBytes)],
    ['largest.docx', docxOf(targetBytes)],
  ];
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-ingest-'));
  const { child, baseUrl } = await startServer(dataDir, { MAX_UPLOAD_BYTES: String(maxUploadBytes) });
  process.once('exit', () => child.kill('SIGKILL'));
  try {
    const sampleStore = await json(
      await fetch(`${baseUrl}${apiPaths.sampleKnowledgeBase}`, { method: 'POST' }),
      (value) => (value as { vectorStore: { id: string } }).vectorStore.id,
    );
    // Let the sample documents settle so the baseline is steady.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    console.log(
      `Largest accepted documents at scale ${scale}: ${(targetBytes / 1024 / 1024).toFixed(1)} MB each.`,
    );
    console.log('Latency in ms while each ingests (p50 | p99), against no ingestion, in one run:\n');
    console.log(
      '| phase | /health p50 | /health p99 | first event p50 | first event p99 | event gap p50 | event gap p99 | event-loop delay p99 / max | /health samples | ingestion |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|---|');
    row(
      'no ingestion',
      await sample(baseUrl, sampleStore, new Promise((resolve) => setTimeout(resolve, baselineMs)), child),
    );
    for (const [fileName, bytes] of documents) {
      const ingestion = ingest(baseUrl, fileName, bytes);
      // Awaited below; a failure must not end the process (and orphan the server) meanwhile.
      ingestion.catch(() => undefined);
      const samples = await sample(baseUrl, sampleStore, ingestion, child);
      const result = await ingestion;
      const outcome =
        result.status === 'failed'
          ? `failed: ${result.file?.lastError?.message ?? ''}`
          : `${result.status}, ${result.file?.chunkCount ?? 0} chunks`;
      row(
        `${fileName} (${(bytes.length / 1024 / 1024).toFixed(1)} MB)`,
        samples,
        `${result.seconds.toFixed(1)} s, ${outcome}`,
      );
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (mode === 'corpus') await ingestCorpus(process.argv[3]);
else await main();
