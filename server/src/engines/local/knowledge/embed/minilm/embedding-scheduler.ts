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
  private readonly isBusy: boolean[];
  private readonly lanesOf: readonly (readonly EmbeddingLane[])[];

  constructor(
    workers: number | readonly (readonly EmbeddingLane[])[],
    private readonly run: (worker: number, work: Work) => Promise<Result>,
  ) {
    this.lanesOf =
      typeof workers === 'number'
        ? Array.from({ length: Math.max(1, workers) }, () => ['query', 'backlog'] as const)
        : workers;
    this.isBusy = this.lanesOf.map(() => false);
  }

  submit(work: Work, lane: EmbeddingLane): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.lanes[lane].push({ work, resolve, reject });
      this.dispatch();
    });
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
    for (let worker = 0; worker < this.isBusy.length; worker += 1) {
      if (this.isBusy[worker]) continue;
      const accepts = this.lanesOf[worker] ?? [];
      const next =
        (accepts.includes('query') ? this.lanes.query.shift() : undefined) ??
        (accepts.includes('backlog') ? this.lanes.backlog.shift() : undefined);
      if (!next) continue;
      this.isBusy[worker] = true;
      void this.run(worker, next.work)
        .then(next.resolve, next.reject)
        .finally(() => {
          this.isBusy[worker] = false;
          this.dispatch();
        });
    }
  }
}
