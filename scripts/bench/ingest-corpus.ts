import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  apiPaths,
  knowledgeFileListSchema,
  meaningIndexShare,
  vectorStoreSummarySchema,
} from '@threadline/shared';
import {
  embeddingWorkerCount,
  MinilmWorkerPool,
} from '../../server/src/engines/local/knowledge/embed/minilm/minilm-worker-pool.js';
import { createWordPieceTokenizer } from '../../server/src/engines/local/knowledge/embed/minilm/wordpiece-tokenizer.js';
import { json, sample, startServer, type Samples } from './ingest-server.js';
import { corpusDir, percentile, repoRoot } from './retrieval-corpus.js';

/**
 * Searchable in seconds, semantic at the machine's speed (issue #27), measured in one run on one
 * document set: the model's raw throughput, then the real server ingesting the set with hashed
 * vectors and with all-MiniLM-L6-v2. Word pieces are counted on the documents' text, once
 * (what the pipeline has to embed at least); the raw figure counts the same way over passages of
 * the same text in the same window shape (128 pieces + 16 of context), so the share compares like
 * with like. The figures are only as steady as the machine: the load average is printed.
 */

/** Word pieces of corpus text the raw measurement embeds per worker count. */
const rawPieces = 30_000;
const passageCharacters = 1600;
const windowTokens = 128;
const contextTokens = 16;
const uploadBatchFiles = 50;
const pollMs = 250;
const timeoutMs = 60 * 60_000;

type Document = { fileName: string; bytes: Buffer };

const vocabularyPath = fileURLToPath(
  new URL('../../server/src/engines/local/knowledge/embed/minilm/vocab.txt', import.meta.url),
);
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');

/** Markdown a ≥ 3 MB set is drawn from when no folder is named: the installed packages' docs. */
const markdownSetBytes = 3 * 1024 * 1024;

/**
 * The sets to measure: the named folder alone; otherwise the Git docs (the product docs when
 * they are not beside the repository) and a ≥ 3 MB Markdown set, the two.
 */
function documentSets(directory: string | undefined): { name: string; documents: Document[] }[] {
  const read = (dir: string, accept: (name: string) => boolean): Document[] =>
    readdirSync(dir, { recursive: true, encoding: 'utf8' })
      .filter((name) => accept(name) && statSync(join(dir, name)).isFile())
      .sort()
      .map((name) => ({ fileName: basename(name), bytes: readFileSync(join(dir, name)) }));
  const isText = (name: string) => /\.(md|markdown|txt)$/i.test(name);
  if (directory !== undefined) return [{ name: directory, documents: read(directory, isText) }];
  const gitDocs = join(corpusDir, 'git-docs');
  const first = existsSync(gitDocs)
    ? { name: 'Git docs', documents: read(gitDocs, (name) => name.endsWith('.txt')) }
    : {
        name: 'product docs (the Git docs were not found at ../shared/corpus)',
        documents: [
          ...read(join(repoRoot, 'docs'), isText),
          { fileName: 'README.md', bytes: readFileSync(join(repoRoot, 'README.md')) },
        ],
      };
  return [first, nodeModulesMarkdown()];
}

/**
 * A ≥ 3 MB Markdown set any clone has after `npm install`: the READMEs and docs of the installed
 * packages (every .md under node_modules, by path), each named after its path so no two collide,
 * taken in order until 3 MB. Files over 256 KB (generated changelogs) are left out.
 */
function nodeModulesMarkdown(): { name: string; documents: Document[] } {
  const root = join(repoRoot, 'node_modules');
  const documents: Document[] = [];
  let bytes = 0;
  const names = readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.md$/i.test(name))
    .sort();
  for (const name of names) {
    if (bytes >= markdownSetBytes) break;
    const path = join(root, name);
    const size = statSync(path, { throwIfNoEntry: false });
    if (!size?.isFile() || size.size > 256 * 1024 || size.size === 0) continue;
    documents.push({ fileName: name.replaceAll('/', '__'), bytes: readFileSync(path) });
    bytes += size.size;
  }
  return { name: 'Markdown of the installed packages (node_modules, first 3 MB by path)', documents };
}

function modelDirectory(): string {
  const candidates = [
    process.env.EMBEDDING_MODEL_DIR,
    join(homedir(), '.cache/threadline/all-MiniLM-L6-v2-int8'),
  ];
  const found = candidates.find(
    (dir) => dir !== undefined && dir !== '' && existsSync(join(dir, 'model.onnx')),
  );
  if (!found) {
    console.error(
      'bench:ingest needs all-MiniLM-L6-v2: set EMBEDDING_MODEL_DIR to a folder holding model.onnx (see .ci/run).',
    );
    process.exit(2);
  }
  return found;
}

/** The model alone, on `workers` workers: word pieces of text per second. */
async function rawThroughput(modelDir: string, documents: Document[], workers: number): Promise<number> {
  const tokenizer = createWordPieceTokenizer(readFileSync(vocabularyPath, 'utf8'));
  const passages: { context: string; text: string }[] = [];
  let pieces = 0;
  // Passages taken from every document in turn (not the first few files alone), so the sample's
  // mix of prose, tables and code is the set's.
  const texts = documents.map((document) => document.bytes.toString('utf8'));
  for (let start = 0; pieces < rawPieces; start += passageCharacters) {
    let isAny = false;
    for (const [index, text] of texts.entries()) {
      if (start >= text.length || pieces >= rawPieces) continue;
      const passage = text.slice(start, start + passageCharacters);
      pieces += tokenizer.pieces(passage).length;
      passages.push({ context: documents[index]?.fileName ?? '', text: passage });
      isAny = true;
    }
    if (!isAny) break;
  }
  const pool = new MinilmWorkerPool(
    { modelPath: join(modelDir, 'model.onnx'), vocabularyPath, intraOpThreads: 1, niceness: 10 },
    workers,
    { hasQueryWorker: false },
  );
  try {
    await pool.ready;
    await pool.embedPassages(passages.slice(0, workers * 2), windowTokens, contextTokens); // warm-up
    const started = performance.now();
    await pool.embedPassages(passages, windowTokens, contextTokens);
    return pieces / ((performance.now() - started) / 1000);
  } finally {
    await pool.close();
  }
}

type Run = {
  searchableSeconds: number;
  semanticSeconds: number;
  chunks: number;
  untilSearchable: Samples;
  draining: Samples;
};

async function ingestWith(environment: Record<string, string>, documents: Document[]): Promise<Run> {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-ingest-corpus-'));
  const { child, baseUrl } = await startServer(dataDir, { DEFAULT_KNOWLEDGE_BASE: 'none', ...environment });
  const stop = () => child.kill('SIGKILL');
  process.once('exit', stop);
  const createStore = async (name: string) =>
    json(
      await fetch(`${baseUrl}${apiPaths.vectorStores}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name }),
      }),
      (value) => vectorStoreSummarySchema.parse(value),
    );
  const upload = async (storeId: string, batch: Document[]) => {
    const form = new FormData();
    for (const document of batch) form.append('file', new Blob([document.bytes]), document.fileName);
    await json(
      await fetch(`${baseUrl}${apiPaths.vectorStoreFiles(storeId)}`, { method: 'POST', body: form }),
      (value) => knowledgeFileListSchema.parse(value),
    );
  };
  const until = async (condition: () => Promise<boolean>) => {
    const started = performance.now();
    while (!(await condition())) {
      if (performance.now() - started > timeoutMs) throw new Error('ingestion did not finish in an hour');
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  };
  const isSearchable = async (storeId: string) =>
    (
      await json(await fetch(`${baseUrl}${apiPaths.vectorStoreFiles(storeId)}`), (value) =>
        knowledgeFileListSchema.parse(value),
      )
    ).data.every((file) => file.status !== 'in_progress');
  const summary = async (storeId: string) =>
    json(await fetch(`${baseUrl}/knowledge/vector-stores/${storeId}`), (value) =>
      vectorStoreSummarySchema.parse(value),
    );
  const isSemantic = async (storeId: string) => {
    const index = (await summary(storeId)).meaningIndex;
    return index !== undefined && meaningIndexShare(index) >= 1;
  };
  try {
    // The model loaded and warm before the clock starts: one small file, fully embedded.
    const warm = await createStore('warm-up');
    await upload(warm.id, [{ fileName: 'warm.md', bytes: Buffer.from('# Warm\n\nThe model is loaded.\n') }]);
    await until(async () => (await isSearchable(warm.id)) && (await isSemantic(warm.id)));

    const store = await createStore('corpus');
    const started = performance.now();
    const searchable = (async () => {
      for (let index = 0; index < documents.length; index += uploadBatchFiles)
        await upload(store.id, documents.slice(index, index + uploadBatchFiles));
      await until(() => isSearchable(store.id));
      return (performance.now() - started) / 1000;
    })();
    searchable.catch(() => undefined);
    const untilSearchable = await sample(baseUrl, store.id, searchable, child);
    const searchableSeconds = await searchable;
    const semantic = (async () => {
      await until(() => isSemantic(store.id));
      return (performance.now() - started) / 1000;
    })();
    semantic.catch(() => undefined);
    const draining = await sample(baseUrl, store.id, semantic, child);
    const semanticSeconds = await semantic;
    const chunks = (await summary(store.id)).meaningIndex?.totalChunks ?? 0;
    return { searchableSeconds, semanticSeconds, chunks, untilSearchable, draining };
  } finally {
    process.off('exit', stop);
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ms = (values: number[], share: number) =>
  values.length === 0 ? '—' : percentile(values, share).toFixed(1);
const loop = (samples: Samples) =>
  samples.eventLoop ? `${samples.eventLoop.p99.toFixed(1)} / ${samples.eventLoop.max.toFixed(1)}` : '—';
const latency = (samples: Samples) =>
  `${ms(samples.health, 0.5)} / ${ms(samples.health, 0.99)} | ${loop(samples)} | ${ms(samples.firstEvent, 0.99)} | ${ms(samples.gap, 0.99)} | ${samples.health.length}`;

export async function ingestCorpus(directory?: string): Promise<void> {
  for (const [index, set] of documentSets(directory).entries()) {
    if (index > 0) console.log('\n');
    await ingestSet(set.name, set.documents);
  }
}

async function ingestSet(name: string, documents: Document[]): Promise<void> {
  if (documents.length === 0) {
    console.error(`No .md, .markdown or .txt files in ${name}.`);
    process.exit(2);
  }
  const modelDir = modelDirectory();
  const workers = embeddingWorkerCount(Number(process.env.EMBEDDING_WORKERS ?? 0));
  const tokenizer = createWordPieceTokenizer(readFileSync(vocabularyPath, 'utf8'));
  const corpusPieces = documents.reduce(
    (sum, document) => sum + tokenizer.pieces(document.bytes.toString('utf8')).length,
    0,
  );
  const megabytes = documents.reduce((sum, document) => sum + document.bytes.length, 0) / 1024 / 1024;
  console.log(
    `${name}: ${documents.length} files, ${megabytes.toFixed(2)} MB, ${corpusPieces} word pieces; ` +
      `${workers} embedding workers; load average at start ${load()}\n`,
  );

  const rawOne = await rawThroughput(modelDir, documents, 1);
  const rawBefore = workers > 1 ? await rawThroughput(modelDir, documents, workers) : rawOne;
  console.log('Raw model throughput (all-MiniLM-L6-v2 int8, windows of 128 + 16 context, this process):');
  console.log(`  1 worker: ${rawOne.toFixed(0)} word pieces/s`);
  console.log(
    `  ${workers} workers: ${rawBefore.toFixed(0)} word pieces/s (${(rawBefore / rawOne).toFixed(2)}× one); load average ${load()}\n`,
  );

  const hashed = await ingestWith({ EMBEDDINGS: 'hash' }, documents);
  const model = await ingestWith(
    { EMBEDDINGS: 'minilm', EMBEDDING_MODEL_DIR: modelDir, EMBEDDING_WORKERS: String(workers) },
    documents,
  );
  // Measured again right after the pipeline: on a machine others share, the load moves in the
  // minutes between, and the share is against the mean of the two.
  const rawAfter = await rawThroughput(modelDir, documents, workers);
  const rawMany = (rawBefore + rawAfter) / 2;
  console.log(
    `Raw ${workers}-worker throughput again after the server runs: ${rawAfter.toFixed(0)} word pieces/s; ` +
      `mean of before and after ${rawMany.toFixed(0)}; load average ${load()}\n`,
  );
  console.log('The server ingesting the set through POST /knowledge/vector-stores/:id/files:\n');
  console.log(
    '| embeddings | chunks | searchable s | fully embedded s | phase | /health p50 / p99 ms | event-loop delay p99 / max ms | chat first event p99 ms | chat gap p99 ms | /health samples |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const [label, run] of [
    ['hashed (EMBEDDINGS=hash)', hashed],
    ['all-MiniLM-L6-v2', model],
  ] as const) {
    const head = `| ${label} | ${run.chunks} | ${run.searchableSeconds.toFixed(1)} | ${run.semanticSeconds.toFixed(1)}`;
    console.log(`${head} | until searchable | ${latency(run.untilSearchable)} |`);
    if (run.draining.health.length > 0)
      console.log(`${head} | vectors draining | ${latency(run.draining)} |`);
  }
  const pipeline = corpusPieces / model.semanticSeconds;
  const drain = corpusPieces / Math.max(0.001, model.semanticSeconds - model.searchableSeconds);
  const allHealth = [...model.untilSearchable.health, ...model.draining.health];
  console.log(`\nAgainst the hashed run of the same files (same run, load average now ${load()}):`);
  console.log(
    `  time to searchable: ${(model.searchableSeconds / hashed.searchableSeconds).toFixed(2)}× hashed (target ≤ 2×)`,
  );
  console.log(
    `  time to fully embedded: ${(model.semanticSeconds / hashed.semanticSeconds).toFixed(2)}× hashed`,
  );
  console.log(
    `  pipeline: ${pipeline.toFixed(0)} word pieces/s from upload to fully embedded = ` +
      `${((100 * pipeline) / rawMany).toFixed(0)}% of the raw ${workers}-worker throughput (target ≥ 80%)`,
  );
  console.log(
    `  while the vectors drain (after the set is searchable): ${drain.toFixed(0)} word pieces/s = ` +
      `${((100 * drain) / rawMany).toFixed(0)}% of raw`,
  );
  console.log(`  /health p99 throughout with the model: ${ms(allHealth, 0.99)} ms (target ≤ 100 ms)`);
  const loops = [model.untilSearchable.eventLoop, model.draining.eventLoop].flatMap((delay) =>
    delay ? [delay] : [],
  );
  if (loops.length > 0)
    console.log(
      `  server event-loop delay with the model (perf_hooks): p99 ${Math.max(...loops.map((delay) => delay.p99)).toFixed(1)} ms, ` +
        `max ${Math.max(...loops.map((delay) => delay.max)).toFixed(1)} ms (the worse of the two phases)`,
    );
}
