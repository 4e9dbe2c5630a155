import type { SqliteDatabase } from '../../../db/database.js';
import { buildColumnIndex, columnTopRows, type ColumnIndex } from './column-index.js';

type StoreVectors = { rowids: Int32Array; matrix: Float32Array; dimensions: number };

type LoadedStore =
  { layout: 'rows'; vectors: StoreVectors } | { layout: 'columns'; index: ColumnIndex; dimensions: number };

/**
 * Stores with at least this many chunks are kept as a column index (see column-index.ts);
 * smaller ones keep the row scan, which is already ~1 ms at a few thousand chunks.
 */
export const columnIndexMinChunks = 20_000;

/**
 * Keeps each vector store's chunk vectors as one contiguous Float32Array so an exact
 * similarity scan is a tight loop over memory (≈ 25 M multiply-adds for 100k × 256-d), laid
 * out dimension-major for large stores. Derived data: loaded lazily from SQLite (so a restart
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
   * The `limit` nearest chunks (dot product of unit vectors) across the given stores, best
   * first, by an exact scan (row by row, or over a large store's column index). A prefix pre-pass (score the first dimensions, re-score the best
   * thousand) was tried for large stores: with hashed local vectors it kept under half of the
   * true top 20 at 100k chunks while saving a fifth of the time, so the scan stays exact.
   */
  nearest(vectorStoreIds: readonly string[], query: Float32Array, limit: number): number[] {
    const candidates: Candidate[] = [];
    for (const vectorStoreId of new Set(vectorStoreIds)) {
      const loaded = this.load(vectorStoreId, query.length);
      const rowids = loaded.layout === 'rows' ? loaded.vectors.rowids : loaded.index.rowids;
      const best =
        loaded.layout === 'rows'
          ? topRows(loaded.vectors, query, limit)
          : columnTopRows(loaded.index, query, limit);
      for (const row of best) candidates.push({ row: rowids[row.row] ?? 0, score: row.score });
    }
    return candidates
      .filter((entry) => entry.score > 0)
      .sort((left, right) => right.score - left.score)
      .slice(0, limit)
      .map((entry) => entry.row);
  }

  /** Which layout a store is held in once loaded (for tests and benchmarks). */
  layoutOf(vectorStoreId: string): LoadedStore['layout'] | null {
    return this.stores.get(vectorStoreId)?.layout ?? null;
  }

  private load(vectorStoreId: string, dimensions: number): LoadedStore {
    const cached = this.stores.get(vectorStoreId);
    const cachedDimensions = cached?.layout === 'rows' ? cached.vectors.dimensions : cached?.dimensions;
    if (cached && cachedDimensions === dimensions) return cached;
    const rows = this.database
      .prepare<[string, number], { rowid: number; embedding: Buffer }>(
        'SELECT rowid, embedding FROM kb_chunks WHERE vector_store_id = ? AND length(embedding) = ?',
      )
      .all(vectorStoreId, dimensions * 4);
    const rowids = Int32Array.from(rows, (row) => row.rowid);
    // Copied out: SQLite's buffers need not be 4-byte aligned for a Float32Array view.
    const vectorAt = (index: number) => {
      const embedding = rows[index]?.embedding;
      if (!embedding) return new Float32Array(dimensions);
      return new Float32Array(
        embedding.buffer.slice(embedding.byteOffset, embedding.byteOffset + dimensions * 4),
      );
    };
    let loaded: LoadedStore;
    if (rows.length >= this.columnMinChunks) {
      loaded = { layout: 'columns', index: buildColumnIndex(rowids, dimensions, vectorAt), dimensions };
    } else {
      const matrix = new Float32Array(rows.length * dimensions);
      for (let index = 0; index < rows.length; index += 1) matrix.set(vectorAt(index), index * dimensions);
      loaded = { layout: 'rows', vectors: { rowids, matrix, dimensions } };
    }
    this.stores.set(vectorStoreId, loaded);
    return loaded;
  }
}

type Candidate = { row: number; score: number };

/** The `keep` best rows by dot product with the query. */
function topRows(vectors: StoreVectors, query: Float32Array, keep: number): Candidate[] {
  const count = vectors.rowids.length;
  const dimensions = vectors.dimensions;
  const { matrix } = vectors;
  const unrolled = dimensions - (dimensions % 4);
  let best: Candidate[] = [];
  let worst = Number.NEGATIVE_INFINITY;
  for (let index = 0; index < count; index += 1) {
    const row = index;
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
    const score = sum0 + sum1 + sum2 + sum3;
    if (best.length < keep || score > worst) {
      best.push({ row, score });
      if (best.length >= keep * 2) {
        best.sort((left, right) => right.score - left.score);
        best = best.slice(0, keep);
        worst = best[keep - 1]?.score ?? worst;
      }
    }
  }
  return best.sort((left, right) => right.score - left.score).slice(0, keep);
}
