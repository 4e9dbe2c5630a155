import { readFileSync, readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import ort from 'onnxruntime-node';
import { batchesOf, batchSize } from './sequence-batches.js';
import { poolEmbeddings, windowPieces } from './pool-embeddings.js';
import { createWordPieceTokenizer } from './wordpiece-tokenizer.js';

/**
 * The embedding worker: tokenises and runs all-MiniLM-L6-v2 off the main thread, so a batch of
 * chunks (hundreds of milliseconds of CPU) never stalls the event loop that relays chat streams.
 * Started by minilm-worker-client.ts (through the tsx loader when running as TypeScript); one
 * request at a time, in order.
 */
export type WorkerSettings = {
  modelPath: string;
  vocabularyPath: string;
  intraOpThreads: number;
  /** This thread's nice value (Linux), so the event loop gets the CPU before the backlog. */
  niceness?: number;
};

/** A passage: `context` (title, section) is repeated in front of every window of `text`. */
export type PassageInput = { context: string; text: string };

export type WorkerRequest =
  | { id: number; kind: 'queries'; texts: string[] }
  | { id: number; kind: 'passages'; passages: PassageInput[]; windowTokens: number; contextTokens: number }
  | { kind: 'close' };

/** `vectors` holds every vector end to end; `counts[i]` is how many belong to input `i`. */
export type WorkerReply =
  | { id: number; vectors: Float32Array; counts: number[] }
  | { id: number; error: string }
  | { id: -1; ready: true; warmUpMs: number };

export const maxSequenceLength = 256;
export const dimensions = 384;

const settings = workerData as WorkerSettings;
if (settings.niceness) lowerThreadPriority(settings.niceness);
const tokenizer = createWordPieceTokenizer(readFileSync(settings.vocabularyPath, 'utf8'));
const session = await ort.InferenceSession.create(settings.modelPath, {
  intraOpNumThreads: settings.intraOpThreads,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});
const classId = tokenizer.encode('', 2)[0] ?? 101;
const separatorId = tokenizer.encode('', 2)[1] ?? 102;
const port = parentPort;
if (!port) throw new Error('minilm-worker.ts runs as a worker thread');

// One request at a time, in arrival order: the pool may queue a next piece here while one runs
// (minilm-worker-pool.ts), and interleaving their model calls would only delay the first.
let previous: Promise<unknown> = Promise.resolve();
port.on('message', (request: WorkerRequest) => {
  // Closing waits for the model call under way: a thread ended while onnxruntime runs aborts the
  // whole process ("terminate called after throwing an instance of 'Napi::Error'"), which a
  // server stopped in its first second, during the warm-up, did.
  if (request.kind === 'close') {
    void Promise.allSettled([previous, warming]).then(async () => {
      await session.release();
      process.exit(0);
    });
    return;
  }
  previous = previous.then(() =>
    handle(request).then(
      (reply) => port.postMessage(reply, [reply.vectors.buffer as ArrayBuffer]),
      (error: unknown) =>
        port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
    ),
  );
});
// Started before any message is read (messages arrive on a later turn of the event loop).
const warming = warmUp();
const warmUpMs = await warming;
port.postMessage({ id: -1, ready: true, warmUpMs } satisfies WorkerReply);

/**
 * A question and a batch of eight passage-sized texts, run once before the worker says it is
 * ready: the first model call of a fresh session (and the tokenizer's first, before the JIT has
 * seen it) took 2-4x a warm one, and on a query worker that fell on some user's first answer
 * turn, the slowest of a bench:answers run (Git docs: 124 ms for a question the warm worker
 * embeds in 10-50 ms, same load). ~0.2 s of one core per worker, once, at start-up.
 */
async function warmUp(): Promise<number> {
  const started = performance.now();
  const passage =
    'To undo the last commit but keep its changes, run git reset --soft HEAD~1; the files stay ' +
    'staged, and `git status` lists them. See the configuration section for core.editor.';
  const sequences = [
    tokenizer.encode('How do I undo my last commit?', maxSequenceLength),
    ...Array.from({ length: batchSize }, (_, index) =>
      tokenizer.encode(passage.slice(index * 4), maxSequenceLength),
    ),
  ];
  await embedSequences(sequences);
  return performance.now() - started;
}

async function handle(
  request: Exclude<WorkerRequest, { kind: 'close' }>,
): Promise<{ id: number; vectors: Float32Array; counts: number[] }> {
  const sequences: number[][] = [];
  const counts: number[] = [];
  if (request.kind === 'queries') {
    for (const text of request.texts) {
      sequences.push(tokenizer.encode(text, maxSequenceLength));
      counts.push(1);
    }
  } else {
    for (const passage of request.passages) {
      const windows = passageSequences(passage, request.windowTokens, request.contextTokens);
      sequences.push(...windows);
      counts.push(windows.length);
    }
  }
  const vectors = await embedSequences(sequences);
  return { id: request.id, vectors, counts };
}

function passageSequences(passage: PassageInput, windowTokens: number, contextTokens: number): number[][] {
  const context = tokenizer.pieces(passage.context).slice(0, contextTokens);
  const room = Math.min(windowTokens, maxSequenceLength - 2 - context.length);
  const body = tokenizer.pieces(passage.text);
  // Windows do not overlap: overlapping by half would double the model's work for every file.
  return windowPieces(body, room).map((window) => [classId, ...context, ...window, separatorId]);
}

/** Unit vectors of the sequences, in order, laid end to end. */
async function embedSequences(sequences: readonly number[][]): Promise<Float32Array> {
  const output = new Float32Array(sequences.length * dimensions);
  const order = sequences
    .map((_, index) => index)
    .sort((a, b) => (sequences[a]?.length ?? 0) - (sequences[b]?.length ?? 0));
  for (const batch of batchesOf(order.map((index) => ({ index, length: sequences[index]?.length ?? 0 })))) {
    const lengths = batch.map((index) => sequences[index]?.length ?? 0);
    const width = Math.max(...lengths);
    const ids = new BigInt64Array(batch.length * width);
    const mask = new BigInt64Array(batch.length * width);
    batch.forEach((index, row) => {
      (sequences[index] ?? []).forEach((id, column) => {
        ids[row * width + column] = BigInt(id);
        mask[row * width + column] = 1n;
      });
    });
    const shape = [batch.length, width];
    const result = await session.run({
      input_ids: new ort.Tensor('int64', ids, shape),
      attention_mask: new ort.Tensor('int64', mask, shape),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(batch.length * width), shape),
    });
    const hidden = result.last_hidden_state?.data;
    if (!(hidden instanceof Float32Array)) throw new Error('the model returned no last_hidden_state');
    poolEmbeddings(hidden, lengths, width, dimensions).forEach((vector, row) =>
      output.set(vector, (batch[row] ?? 0) * dimensions),
    );
  }
  return output;
}

/**
 * Linux schedules threads, and `setpriority` on a thread id changes that thread alone (the
 * model runs on this thread: intra-op threads are 1 and onnxruntime-node runs synchronously).
 * Elsewhere, or when refused, the worker runs at the process's priority.
 */
function lowerThreadPriority(niceness: number): void {
  try {
    const threadId = Number(readlinkSync('/proc/thread-self').split('/').pop());
    if (Number.isInteger(threadId) && threadId > 0) setPriority(threadId, niceness);
  } catch {
    // Not Linux, or not allowed: the same work at normal priority.
  }
}
