import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../server/src/app.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase, type SqliteDatabase } from '../../server/src/sqlite/database.js';
import { createMongoTranscriptStore } from '../../server/src/transcripts/stores/mongo-transcript-store.js';
import { createOutbox } from '../../server/src/transcripts/writer/outbox.js';
import type { MessageRecord } from '../../server/src/transcripts/transcript-recorder.js';
import { createSqliteTranscriptStore } from '../../server/src/transcripts/stores/sqlite-transcript-store.js';
import type { TranscriptStore } from '../../server/src/transcripts/transcript-store.js';
import { createTranscriptWriter } from '../../server/src/transcripts/writer/transcript-writer.js';
import { freePort, resolveMongoTestServer, startMongoTestServer } from '../mongo-test-server/start.mjs';

/**
 * Does persistence slow a stream? Time to first event of POST /chat/stream (real HTTP, local
 * engine, a small knowledge base) with persistence off, with the database healthy, with every
 * write stalled 500 ms and with the database down, requests interleaved round-robin so machine
 * noise hits all four alike. Then sustained write throughput through the background writer.
 * The database is MongoDB (a MongoDB-compatible test server) when one can be started, else SQLite.
 * Usage: npm run bench:persistence [-- rounds]
 */
const rounds = Number(process.argv[2] ?? 150);
const warmup = 15;
const targetRatio = 1.05;
const quiet = { warn: () => {}, error: () => {}, info: () => {} };

const stalled = (store: TranscriptStore, ms: number): TranscriptStore => ({
  ...store,
  async writeBatch(batch) {
    await new Promise((resolve) => setTimeout(resolve, ms));
    await store.writeBatch(batch);
  },
});

/** Seeded, so a run is reproducible (mulberry32). */
let seed = 0x5eed;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let value = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
  return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
};
function shuffledIndexes(length: number): number[] {
  const order = Array.from({ length }, (_, index) => index);
  for (let index = length - 1; index > 0; index -= 1) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other] ?? other, order[index] ?? index];
  }
  return order;
}

const median = (values: number[]) => percentile(values, 0.5);
function percentile(values: number[], fraction: number) {
  const sorted = [...values].sort((left, right) => left - right);
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))] ?? Number.NaN
  );
}

type Scenario = {
  name: string;
  app: FastifyInstance;
  url: string;
  samples: number[];
  /** Synchronous time of each recordThread/recordMessage call (the answer, at the end of a run). */
  recordCalls: number[];
  /**
   * Synchronous time of each recordTurn call: the new thread and the user message journaled in
   * one commit, the only part of persistence between a request and its first event.
   */
  turnCalls: number[];
  cleanup: () => void;
};

async function startScenario(
  name: string,
  environment: Record<string, string>,
  store: TranscriptStore | undefined,
  isOff = false,
): Promise<Scenario> {
  const dataDir = mkdtempSync(join(tmpdir(), `threadline-bench-${name.replaceAll(' ', '-')}-`));
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    RATE_LIMIT_MAX: '1000000',
    ...environment,
  });
  const app = await buildApp(config, { logger: false, ...(store ? { transcriptStore: store } : {}) });
  if (isOff) {
    // "Persistence off": the orchestrator's recorder calls do nothing at all.
    app.recorder.recordThread = () => {};
    app.recorder.recordMessage = () => {};
    app.recorder.recordTurn = () => {};
  }
  const vectorStore = await app.engine.vectorStores.create({ name: 'bench' });
  await app.engine.vectorStores.addFile(vectorStore.id, {
    fileName: 'handbook.md',
    bytes: Buffer.from(
      Array.from(
        { length: 40 },
        (_, index) =>
          `## Section ${index}\nMeals are reimbursed up to ${index + 20} euros per day in region ${index}.`,
      ).join('\n\n'),
    ),
  });
  for (let attempt = 0; attempt < 400; attempt += 1) {
    const files = await app.engine.vectorStores.listFiles(vectorStore.id);
    if (files.every((file) => file.status !== 'in_progress')) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  const recordCalls: number[] = [];
  const turnCalls: number[] = [];
  if (!isOff) {
    const { recorder } = app;
    const recordThread = recorder.recordThread.bind(recorder);
    const recordMessage = recorder.recordMessage.bind(recorder);
    recorder.recordThread = (thread) => {
      const started = performance.now();
      recordThread(thread);
      recordCalls.push(performance.now() - started);
    };
    recorder.recordMessage = (message) => {
      const started = performance.now();
      recordMessage(message);
      recordCalls.push(performance.now() - started);
    };
    const recordTurn = recorder.recordTurn.bind(recorder);
    recorder.recordTurn = (turn) => {
      const started = performance.now();
      recordTurn(turn);
      turnCalls.push(performance.now() - started);
    };
  }
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    name,
    app,
    url: `http://127.0.0.1:${port}${apiPaths.chatStream}?vs=${vectorStore.id}`,
    samples: [],
    recordCalls,
    turnCalls,
    cleanup: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}

/** Milliseconds from sending the request to the first bytes of the event stream. */
async function timeToFirstEvent(scenario: Scenario, question: string): Promise<number> {
  const vectorStoreId = new URL(scenario.url).searchParams.get('vs') ?? '';
  const started = performance.now();
  const response = await fetch(scenario.url.split('?')[0] ?? '', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content: question, vectorStoreIds: [vectorStoreId] }),
  });
  const reader = response.body?.getReader();
  const first = await reader?.read();
  const elapsed = performance.now() - started;
  if (response.status !== 200 || !first?.value) throw new Error(`${scenario.name}: HTTP ${response.status}`);
  for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
    // Drain the rest so the run (and its recording) completes before the next request.
  }
  return elapsed;
}

async function measureThroughput(label: string, store: TranscriptStore, messages: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-throughput-'));
  const database = openDatabase(dataDir);
  const writer = createTranscriptWriter({
    store,
    outbox: createOutbox(database),
    queueSize: 10_000,
    batchSize: 100,
    logger: quiet,
  });
  const threads = 200;
  const perThread = messages / threads;
  const started = performance.now();
  for (let thread = 0; thread < threads; thread += 1) {
    const threadId = `bench_${label}_${Date.now()}_${thread}`;
    const now = new Date().toISOString();
    writer.recordThread({
      id: threadId,
      userId: 'bench',
      title: '',
      engine: 'local',
      vectorStoreIds: [],
      createdAt: now,
      updatedAt: now,
    });
    for (let index = 0; index < perThread; index += 1) {
      const message: MessageRecord = {
        id: `${threadId}_m${index}`,
        threadId,
        userId: 'bench',
        role: index % 2 === 0 ? 'user' : 'assistant',
        text: `Message ${index}: ${'lorem ipsum dolor sit amet '.repeat(20)}`,
        citations: [],
        runId: null,
        runStatus: null,
        model: null,
        usage: null,
        createdAt: new Date(Date.now() + index).toISOString(),
        completedAt: null,
      };
      writer.recordMessage(message);
    }
  }
  const acknowledged = performance.now() - started;
  const result = await writer.close(600_000);
  const drained = performance.now() - started;
  database.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (!result.isDrained) throw new Error(`${label}: writer did not drain`);
  const total = messages + threads;
  console.log(
    `  ${label.padEnd(8)} ${total} records: acknowledged at ${Math.round(total / (acknowledged / 1000)).toLocaleString('en')}/s ` +
      `(${((acknowledged * 1000) / total).toFixed(1)} µs each), stored at ${Math.round(total / (drained / 1000)).toLocaleString('en')} records/s`,
  );
}

const server = resolveMongoTestServer();
const mongoDir = mkdtempSync(join(tmpdir(), 'threadline-bench-mongo-'));
const mongo = server ? await startMongoTestServer({ dataDir: mongoDir, server }) : undefined;
// The test server is a child process: never leave it running, whatever happens below.
const stopMongo = () => {
  const pid = mongo?.pid();
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
};
process.on('exit', stopMongo);
const databaseName = mongo ? `MongoDB (${mongo.kind})` : 'SQLite (no MongoDB-compatible server here)';
const healthyEnvironment: Record<string, string> = mongo
  ? { MONGODB_URI: mongo.uri, MONGODB_DB: 'bench' }
  : {};
const downUri = `mongodb://127.0.0.1:${await freePort()}/?directConnection=true`;

console.log(`Persistence benchmark: ${rounds} rounds (+${warmup} warm-up), database = ${databaseName}`);
const stalledDir = mkdtempSync(join(tmpdir(), 'threadline-bench-stalled-store-'));
let stalledDatabase: SqliteDatabase | undefined;
const stalledBase = mongo
  ? await createMongoTranscriptStore({ uri: mongo.uri, dbName: 'bench_stalled' })
  : createSqliteTranscriptStore((stalledDatabase = openDatabase(stalledDir)));
const scenarios = [
  await startScenario('off', {}, undefined, true),
  await startScenario('healthy', healthyEnvironment, undefined),
  await startScenario('stalled 500 ms', {}, stalled(stalledBase, 500)),
  await startScenario('down', { MONGODB_URI: downUri }, undefined),
  // An A/A control: identical to "off", so its ratio shows how much is machine noise.
  await startScenario('off (control)', {}, undefined, true),
];

const questions = [
  'How much are meals reimbursed per day?',
  'What is the limit in region 7?',
  'Meals in region 30?',
];
for (let round = 0; round < warmup + rounds; round += 1) {
  // A fresh random order each round. A rotation repeats every 5 rounds, and 5 rounds of ~20 ms
  // requests last about as long as the 500 ms stall (or the driver's 500 ms reconnect attempts when
  // the database is down), so the deferred write a scenario queued landed, round after round, in that
  // same scenario's own next measurement instead of at a random moment as it would in service.
  for (const index of shuffledIndexes(scenarios.length)) {
    const scenario = scenarios[index];
    if (!scenario) continue;
    const elapsed = await timeToFirstEvent(scenario, questions[round % questions.length] ?? '');
    if (round >= warmup) scenario.samples.push(elapsed);
  }
}

const baseline = median(scenarios[0]?.samples ?? []);
console.log('\nTime to first event of POST /chat/stream (ms), same questions, requests interleaved:');
console.log('  scenario         median     p90   ratio of medians   median of paired ratios (target ≤ 1.05)');
for (const scenario of scenarios) {
  const value = median(scenario.samples);
  // Each round measures every scenario back to back, so per-round ratios cancel most machine noise.
  const paired = median(
    scenario.samples.map((sample, index) => sample / (scenarios[0]?.samples[index] ?? Number.NaN)),
  );
  const verdict = scenario.name.startsWith('off') ? '' : paired <= targetRatio ? '  ok' : '  ABOVE TARGET';
  console.log(
    `  ${scenario.name.padEnd(15)} ${value.toFixed(2).padStart(7)} ${percentile(scenario.samples, 0.9).toFixed(2).padStart(7)}` +
      `   ${(value / baseline).toFixed(3).padStart(16)}   ${paired.toFixed(3).padStart(10)}${verdict}`,
  );
}
console.log('\nRecorder calls (journal commit + enqueue), synchronous time:');
for (const scenario of scenarios.slice(1, 4)) {
  const turns = scenario.turnCalls;
  const calls = scenario.recordCalls;
  // One call (the new thread + the user message, one commit) happens before a new chat's first event.
  const share = median(turns) / baseline;
  console.log(
    `  ${scenario.name.padEnd(15)} turn (before the first event) median ${(median(turns) * 1000).toFixed(0)} µs, p99 ${(percentile(turns, 0.99) * 1000).toFixed(0)} µs` +
      ` → ${(share * 100).toFixed(2)}% of the median time to first event; answer (after the last) median ${(median(calls) * 1000).toFixed(0)} µs`,
  );
}
for (const scenario of scenarios.slice(1, 4)) {
  const status = scenario.app.transcriptWriter.status();
  console.log(
    `  ${scenario.name}: queue depth ${status.depth}, outbox ${status.outbox}, last error ${status.lastError ?? '—'}`,
  );
}
for (const scenario of scenarios) {
  await scenario.app.close();
  scenario.cleanup();
}
await stalledBase.close();
stalledDatabase?.close();
rmSync(stalledDir, { recursive: true, force: true });

console.log('\nSustained write throughput through the background writer (journal + batched upserts):');
const sqliteDir = mkdtempSync(join(tmpdir(), 'threadline-bench-sqlite-'));
const sqliteDatabase = openDatabase(sqliteDir);
await measureThroughput('SQLite', createSqliteTranscriptStore(sqliteDatabase), 20_000);
sqliteDatabase.close();
rmSync(sqliteDir, { recursive: true, force: true });
if (mongo) {
  const store = await createMongoTranscriptStore({ uri: mongo.uri, dbName: 'bench_throughput' });
  await measureThroughput('MongoDB', store, 20_000);
  await store.close();
  await mongo.stop();
}
rmSync(mongoDir, { recursive: true, force: true });
