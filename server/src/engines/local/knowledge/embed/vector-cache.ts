import type { SqliteDatabase } from '../../../../sqlite/index.js';
import { buildColumnIndex, columnTopRows, selectTop, type ColumnIndex } from '../search/column-index.js';
import { SimdRows } from '../search/row-scores.js';

/**
 * `count` vectors in use; the arrays may be longer (room for vectors appended later). `matrix`
 * lives in `simd`'s WebAssembly memory when the SIMD kernel serves these dimensions.
 */
type StoreVectors = {
  rowids: Int32Array;
  matrix: Float32Array;
  simd: SimdRows | null;
  dimensions: number;
  count: number;
};

/** Room for `count` vectors: in WebAssembly memory for the SIMD scan where it can run. */
function allocateRows(dimensions: number, count: number): Pick<StoreVectors, 'matrix' | 'simd'> {
  const simd = SimdRows.create(dimensions, count);
  return { simd, matrix: simd?.matrix ?? new Float32Array(count * dimensions) };
}

/**
 * `rowids` has one entry per vector: a chunk embedded in windows has several in a row.
 * `isSparse`: the store's queries set under half their dimensions (the local hashed embedding);
 * only those gain from the column index, which skips a query's zero dimensions. A dense model's
 * (all-MiniLM-L6-v2) large store stays row by row, where the SIMD scan is fastest.
 */
type LoadedStore = { model: string | undefined; mostPerChunk: number; isSparse: boolean } & (
  { layout: 'rows'; vectors: StoreVectors } | { layout: 'columns'; index: ColumnIndex; dimensions: number }
);

/**
 * Stores with at least this many vectors, searched by sparse queries, are kept as a column
 * index (see column-index.ts); smaller ones, and every store of a dense model, keep the row
 * scan (SIMD: ~0.75 ms for 13,300 384-d vectors).
 */
export const columnIndexMinChunks = 20_000;

/**
 * Keeps each vector store's chunk vectors as one contiguous Float32Array so an exact
 * similarity scan is a tight loop over memory (≈ 25 M multiply-adds for 100k × 256-d), in
 * WebAssembly memory for the SIMD scan (row-scores.ts), or laid out dimension-major for large
 * stores of sparse vectors. Derived data: loaded lazily from SQLite (so a restart
 * rebuilds it) and dropped whenever the store's chunks change, so deleted files never match.
 */
export class VectorCache {
  private readonly stores = new Map<string, LoadedStore>();
  private readonly columnMinChunks: number;

  constructor(
    private readonly database: SqliteDatabase,
    options: { columnIndexMinChunks?: number } = {},
  ) {
    this.columnMinChunks = options.columnIndexMinChunks ?? columnIndexMinChunks;
  }

  invalidate(vectorStoreId: string): void {
    this.stores.delete(vectorStoreId);
  }

  /**
   * Adds vectors just written for chunks that had none (the background vector lane), instead of
   * dropping the store: reloading a store's every vector from SQLite after each slice held the
   * event loop ~0.1 s at the Git docs' size, once per slice while a backlog drained. Appended
   * only to a store held row by row in `model`; otherwise it is dropped and loads afresh.
   */
  append(
    vectorStoreId: string,
    model: string,
    rows: readonly { rowid: number; embedding: Float32Array }[],
  ): void {
    const loaded = this.stores.get(vectorStoreId);
    if (!loaded) return;
    if (loaded.layout !== 'rows' || loaded.model !== model) return this.invalidate(vectorStoreId);
    const { vectors } = loaded;
    const { dimensions } = vectors;
    if (rows.some((row) => row.embedding.length % dimensions !== 0)) return this.invalidate(vectorStoreId);
    const added = rows.reduce((sum, row) => sum + row.embedding.length / dimensions, 0);
    if (loaded.isSparse && vectors.count + added >= this.columnMinChunks)
      return this.invalidate(vectorStoreId);
    if (vectors.count + added > vectors.rowids.length) {
      // Room to grow geometrically, so a store filled slice by slice is copied O(log n) times.
      const capacity = Math.max(vectors.count + added, Math.ceil(vectors.rowids.length * 1.5), 64);
      const rowids = new Int32Array(capacity);
      rowids.set(vectors.rowids.subarray(0, vectors.count));
      const { matrix, simd } = allocateRows(dimensions, capacity);
      matrix.set(vectors.matrix.subarray(0, vectors.count * dimensions));
      vectors.rowids = rowids;
      vectors.matrix = matrix;
      vectors.simd = simd;
    }
    for (const { rowid, embedding } of rows) {
      const count = embedding.length / dimensions;
      loaded.mostPerChunk = Math.max(loaded.mostPerChunk, count);
      vectors.matrix.set(embedding, vectors.count * dimensions);
      vectors.rowids.fill(rowid, vectors.count, vectors.count + count);
      vectors.count += count;
    }
  }

  /**
   * The `limit` nearest chunks (dot product of unit vectors) across the given stores, best
   * first, by an exact scan. A chunk with several vectors scores as its best. With `model`, only
   * vectors recorded for that model count (a store being re-embedded has some of each) (row by row, or over a large store's column index). A prefix pre-pass (score the first dimensions, re-score the best
   * thousand) was tried for large stores: with hashed local vectors it kept under half of the
   * true top 20 at 100k chunks while saving a fifth of the time, so the scan stays exact.
   */
  nearest(vectorStoreIds: readonly string[], query: Float32Array, limit: number, model?: string): number[] {
    const candidates: Candidate[] = [];
    for (const vectorStoreId of new Set(vectorStoreIds)) {
      const loaded = this.load(vectorStoreId, query, model);
      const rowids = loaded.layout === 'rows' ? loaded.vectors.rowids : loaded.index.rowids;
      const best =
        loaded.layout === 'rows'
          ? bestPerChunk(loaded.vectors, rowScores(loaded.vectors, query), limit)
          : // Enough vectors that `limit` distinct chunks are among them even if each brings all of its own.
            columnTopRows(loaded.index, query, limit * loaded.mostPerChunk);
      for (const row of best) candidates.push({ row: rowids[row.row] ?? 0, score: row.score });
    }
    const seen = new Set<number>();
    return candidates
      .filter((entry) => entry.score > 0)
      .sort((left, right) => right.score - left.score)
      .filter((entry) => !seen.has(entry.row) && Boolean(seen.add(entry.row)))
      .slice(0, limit)
      .map((entry) => entry.row);
  }

  /** Vectors held, all stores together (the start-up warm-up's budget counts them). */
  get heldVectors(): number {
    let total = 0;
    for (const loaded of this.stores.values())
      total += loaded.layout === 'rows' ? loaded.vectors.count : loaded.index.rowids.length;
    return total;
  }

  /** Which layout a store is held in once loaded (for tests and benchmarks). */
  layoutOf(vectorStoreId: string): LoadedStore['layout'] | null {
    return this.stores.get(vectorStoreId)?.layout ?? null;
  }

  private load(vectorStoreId: string, query: Float32Array, model: string | undefined): LoadedStore {
    const dimensions = query.length;
    const cached = this.stores.get(vectorStoreId);
    const cachedDimensions = cached?.layout === 'rows' ? cached.vectors.dimensions : cached?.dimensions;
    if (cached && cachedDimensions === dimensions && cached.model === model) return cached;
    const width = dimensions * 4;
    const rows =
      model === undefined
        ? this.database
            .prepare<[string, number, number], { rowid: number; embedding: Buffer }>(
              'SELECT rowid, embedding FROM kb_chunks WHERE vector_store_id = ? AND length(embedding) > 0 AND length(embedding) % ? = 0 AND length(embedding) <= ?',
            )
            // Without a model, the original one-vector-per-chunk rule of the length alone.
            .all(vectorStoreId, width, width)
        : this.database
            .prepare<[string, string, number], { rowid: number; embedding: Buffer }>(
              'SELECT rowid, embedding FROM kb_chunks WHERE vector_store_id = ? AND embedding_model = ? AND length(embedding) > 0 AND length(embedding) % ? = 0',
            )
            .all(vectorStoreId, model, width);
    // One entry per vector; a chunk's vectors sit next to each other.
    const owners: { row: number; offset: number }[] = [];
    let mostPerChunk = 1;
    rows.forEach((row, index) => {
      const count = row.embedding.byteLength / width;
      mostPerChunk = Math.max(mostPerChunk, count);
      for (let vector = 0; vector < count; vector += 1) owners.push({ row: index, offset: vector * width });
    });
    const rowids = Int32Array.from(owners, (owner) => rows[owner.row]?.rowid ?? 0);
    // Copied out: SQLite's buffers need not be 4-byte aligned for a Float32Array view.
    const vectorAt = (index: number) => {
      const owner = owners[index];
      const embedding = owner ? rows[owner.row]?.embedding : undefined;
      if (!owner || !embedding) return new Float32Array(dimensions);
      const start = embedding.byteOffset + owner.offset;
      return new Float32Array(embedding.buffer.slice(start, start + width));
    };
    let loaded: LoadedStore;
    let nonZero = 0;
    for (const value of query) if (value !== 0) nonZero += 1;
    const isSparse = nonZero * 2 < dimensions;
    if (isSparse && owners.length >= this.columnMinChunks) {
      const index = buildColumnIndex(rowids, dimensions, vectorAt);
      loaded = { layout: 'columns', index, dimensions, model, mostPerChunk, isSparse };
    } else {
      const { matrix, simd } = allocateRows(dimensions, owners.length);
      for (let index = 0; index < owners.length; index += 1) matrix.set(vectorAt(index), index * dimensions);
      loaded = {
        layout: 'rows',
        vectors: { rowids, matrix, simd, dimensions, count: owners.length },
        model,
        mostPerChunk,
        isSparse,
      };
    }
    this.stores.set(vectorStoreId, loaded);
    return loaded;
  }
}

type Candidate = { row: number; score: number };

/**
 * The `limit` best chunks, each as the row of its best vector, from every row's score (rowScores).
 * A chunk's vectors sit next to each other (load and append write them so), so one pass finds
 * each chunk's best and the selection runs over chunks, not windows: with all-MiniLM-L6-v2's ~9
 * windows a chunk, selecting `limit × most windows` rows cost more than the SIMD scan itself.
 */
function bestPerChunk(
  vectors: StoreVectors,
  scores: Float32Array | Float64Array,
  limit: number,
): Candidate[] {
  const { rowids } = vectors;
  const rows: number[] = [];
  const best: number[] = [];
  let previous = Number.NaN;
  for (let row = 0; row < scores.length; row += 1) {
    const score = scores[row] as number;
    const rowid = rowids[row] as number;
    const last = best.length - 1;
    if (rowid !== previous) {
      rows.push(row);
      best.push(score);
      previous = rowid;
    } else if (score > (best[last] as number)) {
      rows[last] = row;
      best[last] = score;
    }
  }
  return selectTop(Float64Array.from(best), limit).map((entry) => ({
    row: rows[entry.row] ?? 0,
    score: entry.score,
  }));
}

/** Every row's dot product with the query: the SIMD kernel's, or the scalar scan where it cannot serve. */
function rowScores(vectors: StoreVectors, query: Float32Array): Float32Array | Float64Array {
  if (vectors.simd) return vectors.simd.scoresOf(query, vectors.count);
  const { count, dimensions, matrix } = vectors;
  const unrolled = dimensions - (dimensions % 4);
  const scores = new Float64Array(count);
  for (let row = 0; row < count; row += 1) {
    const base = row * dimensions;
    // Four accumulators let the loop pipeline; typed-array reads in range are always numbers.
    let sum0 = 0;
    let sum1 = 0;
    let sum2 = 0;
    let sum3 = 0;
    for (let column = 0; column < unrolled; column += 4) {
      sum0 += (matrix[base + column] as number) * (query[column] as number);
      sum1 += (matrix[base + column + 1] as number) * (query[column + 1] as number);
      sum2 += (matrix[base + column + 2] as number) * (query[column + 2] as number);
      sum3 += (matrix[base + column + 3] as number) * (query[column + 3] as number);
    }
    for (let column = unrolled; column < dimensions; column += 1)
      sum0 += (matrix[base + column] as number) * (query[column] as number);
    scores[row] = sum0 + sum1 + sum2 + sum3;
  }
  return scores;
}
