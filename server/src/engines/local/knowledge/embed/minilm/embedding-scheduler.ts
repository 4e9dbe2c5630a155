/**
 * `query`: a request is waiting (a question's vector, passages compared while answering);
 * `backlog`: ingestion's vectors, which nobody waits for.
 */
export type EmbeddingLane = 'query' | 'backlog';

type Queued<Work, Result> = {
  work: Work;
  resolve: (result: Result) => void;
  reject: (error: unknown) => void;
};

/**
 * Hands small pieces of embedding work to a fixed set of workers, one piece per worker at a
 * time. A free worker takes the oldest `query` piece before any `backlog` piece, so a question
 * asked during a long ingestion waits at most for one piece to finish, not for the backlog; a
 * worker may be kept for some lanes only (`lanesOf`: the pool's query worker never takes the
 * backlog, so a question waits for none of it). Pure scheduling: `run` does the work (a worker
 * thread in minilm-worker-pool.ts).
 */
export class EmbeddingScheduler<Work, Result> {
  private readonly lanes: Record<EmbeddingLane, Queued<Work, Result>[]> = { query: [], backlog: [] };
  private readonly inFlight: number[];
  private readonly lanesOf: readonly (readonly EmbeddingLane[])[];
  private readonly backlogDepth: number;

  /**
   * `backlogDepth`: pieces a worker that takes the backlog may hold at once. With 2 the next
   * piece is already at the worker when one finishes, so the worker does not idle for the
   * round trip through a busy event loop; a query then waits for at most the piece running plus
   * the one queued behind it. Query-only workers hold one.
   */
  constructor(
    workers: number | readonly (readonly EmbeddingLane[])[],
    private readonly run: (worker: number, work: Work) => Promise<Result>,
    options: { backlogDepth?: number } = {},
  ) {
    this.lanesOf =
      typeof workers === 'number'
        ? Array.from({ length: Math.max(1, workers) }, () => ['query', 'backlog'] as const)
        : workers;
    this.inFlight = this.lanesOf.map(() => 0);
    this.backlogDepth = Math.max(1, options.backlogDepth ?? 1);
  }

  submit(work: Work, lane: EmbeddingLane): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.lanes[lane].push({ work, resolve, reject });
      this.dispatch();
    });
  }

  /**
   * Workers kept for `lane` alone that hold no piece now, when nothing waits in `lane`: a piece
   * given to one starts at once.
   */
  idleDedicatedWorkers(lane: EmbeddingLane): number {
    if (this.lanes[lane].length > 0) return 0;
    return this.inFlight.filter((count, worker) => {
      const accepts = this.lanesOf[worker] ?? [];
      return count === 0 && accepts.length === 1 && accepts[0] === lane;
    }).length;
  }

  /** Pieces waiting for a worker, per lane. */
  get waiting(): Record<EmbeddingLane, number> {
    return { query: this.lanes.query.length, backlog: this.lanes.backlog.length };
  }

  /** Rejects every piece not yet started (closing). */
  clear(error: Error): void {
    for (const lane of [this.lanes.query, this.lanes.backlog])
      for (const queued of lane.splice(0)) queued.reject(error);
  }

  private dispatch(): void {
    // Every idle worker gets a piece before any worker gets a second one.
    for (let level = 0; level < this.backlogDepth; level += 1) {
      for (let worker = 0; worker < this.inFlight.length; worker += 1) {
        if ((this.inFlight[worker] ?? 0) > level) continue;
        const accepts = this.lanesOf[worker] ?? [];
        if (level > 0 && !accepts.includes('backlog')) continue;
        // A question is never queued behind a piece a worker is running: there it would wait for
        // that piece and then run at the backlog's lower priority (a turn's 5 passages took 1.7 s
        // so while files were read, load 11); it waits for a free worker instead.
        const next =
          (level === 0 && accepts.includes('query') ? this.lanes.query.shift() : undefined) ??
          (accepts.includes('backlog') ? this.lanes.backlog.shift() : undefined);
        if (!next) continue;
        this.inFlight[worker] = (this.inFlight[worker] ?? 0) + 1;
        void this.run(worker, next.work)
          .then(next.resolve, next.reject)
          .finally(() => {
            this.inFlight[worker] = (this.inFlight[worker] ?? 1) - 1;
            this.dispatch();
          });
      }
    }
  }
}
