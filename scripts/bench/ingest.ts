import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths, knowledgeFileListSchema, vectorStoreSummarySchema } from '@threadline/shared';
import { docxOf, pdfOf, textOf } from './ingest-documents.js';
import { percentile, repoRoot } from './retrieval-corpus.js';

/**
 * Responsiveness while the largest accepted documents ingest: `/health` latency and chat-stream
 * latency (time to first event, and the longest gap between events of a stream), sampled
 * continuously against the real server process, first with nothing ingesting, then while a text
 * file, a PDF and a DOCX of the largest accepted size ingest one after another. Target: p99 under
 * 100 ms throughout.
 * Usage: npm run bench:ingest [-- scale]   (scale 0.01–1 of MAX_UPLOAD_BYTES, default 1: 50 MB)
 */
const scale = Number(process.argv[2] ?? 1);
if (!(scale >= 0.01 && scale <= 1)) {
  console.error('usage: npm run bench:ingest [-- scale], scale from 0.01 to 1 (default 1)');
  process.exit(2);
}
const maxUploadBytes = 50 * 1024 * 1024;
const targetBytes = Math.floor(maxUploadBytes * scale) - 4096;
const baselineMs = 10_000;
const healthEveryMs = 20;
const chatEveryMs = 250;
const settleTimeoutMs = 15 * 60_000;

type Samples = { health: number[]; firstEvent: number[]; gap: number[] };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startServer(dataDir: string): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      AUTH_TOKENS: '',
      RATE_LIMIT_MAX: '1000000',
      MAX_UPLOAD_BYTES: String(maxUploadBytes),
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error('the server exited');
    const isUp = await fetch(`${baseUrl}${apiPaths.health}`).then(
      (response) => response.ok,
      () => false,
    );
    if (isUp) return { child, baseUrl };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start');
}

/** Samples /health and chat streams until `until` resolves. */
async function sample(baseUrl: string, vectorStoreId: string, until: Promise<unknown>): Promise<Samples> {
  const samples: Samples = { health: [], firstEvent: [], gap: [] };
  let isDone = false;
  const done = () => (isDone = true);
  until.then(done, done);
  const healthLoop = async () => {
    while (!isDone) {
      const started = performance.now();
      await fetch(`${baseUrl}${apiPaths.health}`).then((response) => response.arrayBuffer());
      samples.health.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, healthEveryMs));
    }
  };
  const chatLoop = async () => {
    while (!isDone) {
      const started = performance.now();
      const response = await fetch(`${baseUrl}${apiPaths.chatStream}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ content: 'How do I rate limit requests?', vectorStoreIds: [vectorStoreId] }),
      });
      let last = started;
      let isFirst = true;
      for await (const chunk of response.body ?? []) {
        void chunk;
        const now = performance.now();
        if (isFirst) samples.firstEvent.push(now - started);
        else samples.gap.push(now - last);
        isFirst = false;
        last = now;
      }
      await new Promise((resolve) => setTimeout(resolve, chatEveryMs));
    }
  };
  await Promise.all([healthLoop(), chatLoop()]);
  return samples;
}

async function json<T>(response: Response, parse: (value: unknown) => T): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return parse(await response.json());
}

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
  console.log(`| ${name} | ${cells.join(' | ')} | ${samples.health.length} | ${note} |`);
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
  const { child, baseUrl } = await startServer(dataDir);
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
      '| phase | /health p50 | /health p99 | first event p50 | first event p99 | event gap p50 | event gap p99 | /health samples | ingestion |',
    );
    console.log('|---|---|---|---|---|---|---|---|---|');
    row(
      'no ingestion',
      await sample(baseUrl, sampleStore, new Promise((resolve) => setTimeout(resolve, baselineMs))),
    );
    for (const [fileName, bytes] of documents) {
      const ingestion = ingest(baseUrl, fileName, bytes);
      // Awaited below; a failure must not end the process (and orphan the server) meanwhile.
      ingestion.catch(() => undefined);
      const samples = await sample(baseUrl, sampleStore, ingestion);
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

await main();
