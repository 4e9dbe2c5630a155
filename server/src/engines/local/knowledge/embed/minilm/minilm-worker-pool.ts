import { availableParallelism } from 'node:os';
import { EmbeddingScheduler, type EmbeddingLane } from './embedding-scheduler.js';
import { MinilmWorkerClient } from './minilm-worker-client.js';
import type { PassageInput, WorkerSettings } from './minilm-worker.js';

type Piece =
  | { kind: 'queries'; texts: string[] }
  | { kind: 'passages'; passages: PassageInput[]; windowTokens: number; contextTokens: number };

/**
 * Texts per backlog piece of `embedQueries`. A piece is what a query may have to wait for on a
 * busy pool: one passage is ~400 word pieces (an 800/400 chunk's segment), ~0.15 s of a thread.
 */
const textsPerPiece = 8;
/**
 * A query-lane request is split over idle workers only with at least this many texts a piece.
 * Two: a turn that embeds only the passages new since the last (4-5 of them while files were
 * being read) ran as one piece on one core, the other query worker idle (was 3).
 */
const minTextsPerSplit = 2;

/** How many pieces a query-lane request of `texts` goes out in, with `idleWorkers` free for it. */
export const queryPieceCount = (texts: number, idleWorkers: number): number =>
  Math.max(1, Math.min(idleWorkers, Math.floor(texts / minTextsPerSplit)));
/**
 * Auto-sized pools stop here: each worker holds its own copy of the model (~60 MB resident);
 * the query worker is one more.
 */
const maxAutoWorkers = 4;
/**
 * The workers' scheduling priority (Linux nice value; 0 is the server's). The backlog uses every
 * idle core, and the kernel gives the event loop (requests, streams) the CPU first when both
 * want it, so the pool can be as wide as the machine.
 */
export const embeddingWorkerNiceness = 10;

/**
 * Query workers: at the server's priority, never given backlog work. Two on a machine with two
 * cores or more, so an answer turn's passages are embedded on two cores at once; each holds a
 * copy of the model (~60 MB resident).
 */
const queryWorkerCount = () => Math.min(2, Math.max(1, availableParallelism()));

/** Workers for `requested` (EMBEDDING_WORKERS; 0 = one per core, up to maxAutoWorkers). */
export const embeddingWorkerCount = (requested: number) =>
  requested > 0 ? requested : Math.min(maxAutoWorkers, Math.max(1, availableParallelism()));

/**
 * all-MiniLM-L6-v2 on a pool of worker threads. Work is cut into small pieces (one passage, a
 * few texts) spread over the backlog workers (lower priority: `settings.niceness`), so one
 * file's slice uses every idle core. A question's vector (`query` lane) goes to a query worker
 * (two on a multi-core machine), which runs at the server's priority and never takes backlog
 * work, or to the next free backlog worker ahead of every ingestion piece when many questions
 * come at once.
 */
export class MinilmWorkerPool {
  private readonly clients: MinilmWorkerClient[];
  private readonly scheduler: EmbeddingScheduler<Piece, Float32Array[][]>;
  readonly ready: Promise<void>;

  /** `hasQueryWorker: false` for a pool that only ever embeds a backlog (the benchmark's raw figure). */
  constructor(settings: WorkerSettings, workerCount: number, options: { hasQueryWorker?: boolean } = {}) {
    const backlog = Array.from({ length: Math.max(1, workerCount) }, () => new MinilmWorkerClient(settings));
    const queryWorkers = (options.hasQueryWorker ?? true) ? queryWorkerCount() : 0;
    this.clients = [
      ...Array.from({ length: queryWorkers }, () => new MinilmWorkerClient({ ...settings, niceness: 0 })),
      ...backlog,
    ];
    this.scheduler = new EmbeddingScheduler(
      this.clients.map((_, index) =>
        index < queryWorkers ? (['query'] as const) : (['query', 'backlog'] as const),
      ),
      (worker, piece) => this.runPiece(worker, piece),
      // A next backlog piece waits at each worker, so none idles between pieces while the
      // event loop is busy (keyword-indexing a file, writing vectors).
      { backlogDepth: 2 },
    );
    this.ready = Promise.all(this.clients.map((client) => client.ready)).then(() => undefined);
    this.ready.catch(() => {});
  }

  get size(): number {
    return this.clients.length;
  }

  /** Each worker's warm-up model call (ms), query workers first: done before `ready`. */
  get warmUpMs(): number[] {
    return this.clients.map((client) => client.warmUpMs);
  }

  /** Pieces waiting for a worker, per lane. */
  get waiting(): Record<EmbeddingLane, number> {
    return this.scheduler.waiting;
  }

  /** One vector per text (truncated at the model's 256 tokens). */
  async embedQueries(texts: readonly string[], lane: EmbeddingLane = 'query'): Promise<Float32Array[]> {
    if (lane === 'query') return this.embedQueryTexts(texts);
    const pieces: Piece[] = [];
    for (let index = 0; index < texts.length; index += textsPerPiece)
      pieces.push({ kind: 'queries', texts: texts.slice(index, index + textsPerPiece) });
    const grouped = (await Promise.all(pieces.map((piece) => this.scheduler.submit(piece, lane)))).flat();
    return grouped.map((vectors) => vectors[0] ?? new Float32Array(0));
  }

  /**
   * A request's texts (a question, the passages an answer turn weighs) as one piece, or, when
   * both query workers are idle right now, as one piece each so two cores share it (an answer
   * turn's 8–12 passages were ~0.3 s of one thread). Split only over idle query workers: a
   * piece queued behind busy ones would wait, and one given to a backlog worker runs at its
   * lower priority — on a machine others loaded (load average 15 on 2 cores) that made the
   * answer-turn p99 2.6× worse. Texts are dealt longest first, so the pieces cost about the same.
   */
  private async embedQueryTexts(texts: readonly string[]): Promise<Float32Array[]> {
    const parts = queryPieceCount(texts.length, this.scheduler.idleDedicatedWorkers('query'));
    const order = texts
      .map((text, index) => ({ text, index }))
      .sort((left, right) => right.text.length - left.text.length);
    const groups = Array.from({ length: parts }, () => [] as { text: string; index: number }[]);
    order.forEach((entry, position) => groups[position % parts]?.push(entry));
    const results = await Promise.all(
      groups.map((group) =>
        this.scheduler.submit({ kind: 'queries', texts: group.map((entry) => entry.text) }, 'query'),
      ),
    );
    const vectors: Float32Array[] = texts.map(() => new Float32Array(0));
    groups.forEach((group, part) =>
      group.forEach((entry, position) => {
        vectors[entry.index] = results[part]?.[position]?.[0] ?? new Float32Array(0);
      }),
    );
    return vectors;
  }

  /** Per passage, the vectors of its windows; one passage per piece. */
  async embedPassages(
    passages: readonly PassageInput[],
    windowTokens: number,
    contextTokens: number,
    lane: EmbeddingLane = 'backlog',
  ): Promise<Float32Array[][]> {
    const results = await Promise.all(
      passages.map((passage) =>
        this.scheduler.submit({ kind: 'passages', passages: [passage], windowTokens, contextTokens }, lane),
      ),
    );
    return results.flat();
  }

  async close(): Promise<void> {
    this.scheduler.clear(new Error('the embedding worker was closed'));
    await Promise.all(this.clients.map((client) => client.close()));
  }

  private runPiece(worker: number, piece: Piece): Promise<Float32Array[][]> {
    const client = this.clients[worker];
    if (!client) return Promise.reject(new Error(`no embedding worker ${worker}`));
    if (piece.kind === 'queries')
      return client.embedQueries(piece.texts).then((vectors) => vectors.map((vector) => [vector]));
    return client.embedPassages(piece.passages, piece.windowTokens, piece.contextTokens);
  }
}
