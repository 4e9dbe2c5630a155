import { describe, expect, it } from 'vitest';
import { buildColumnIndex, columnTopRows, selectTop } from './column-index.js';
import { normaliseVector } from '../embed/local-embedding.js';

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32;
  };
}

/** Unit vectors with `active` random non-zero dimensions each (all of them when active = dimensions). */
function randomVectors(count: number, dimensions: number, active: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const vector = new Float32Array(dimensions);
    for (let set = 0; set < active; set += 1) vector[Math.floor(random() * dimensions)] = random() * 2 - 1;
    return normaliseVector(vector);
  });
}

const dot = (left: Float32Array, right: Float32Array) =>
  left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

function exactTop(vectors: readonly Float32Array[], query: Float32Array, keep: number): number[] {
  return vectors
    .map((vector, row) => ({ row, score: dot(vector, query) }))
    .sort((left, right) => right.score - left.score || left.row - right.row)
    .slice(0, keep)
    .map((entry) => entry.row);
}

describe('columnTopRows', () => {
  it.each([
    { name: 'sparse queries, dense rows', count: 3000, dimensions: 64, rowActive: 64, queryActive: 6 },
    { name: 'dense queries, dense rows', count: 2000, dimensions: 32, rowActive: 32, queryActive: 32 },
    { name: 'sparse rows and queries', count: 2500, dimensions: 256, rowActive: 40, queryActive: 17 },
    { name: 'query dims not a multiple of four', count: 500, dimensions: 7, rowActive: 7, queryActive: 3 },
  ])('matches an exact scan: $name', ({ count, dimensions, rowActive, queryActive }) => {
    const vectors = randomVectors(count, dimensions, rowActive, 7);
    const rowids = Int32Array.from(vectors, (_, row) => 1000 + row);
    const index = buildColumnIndex(rowids, dimensions, (row) => vectors[row] ?? new Float32Array(dimensions));
    const queries = randomVectors(20, dimensions, queryActive, 11);
    let found = 0;
    for (const query of queries) {
      const expected = exactTop(vectors, query, 10);
      const got = columnTopRows(index, query, 10);
      expect(got).toHaveLength(10);
      found += got.filter((entry) => expected.includes(entry.row)).length;
      // Scores are real dot products, best first.
      for (const entry of got) expect(entry.score).toBeCloseTo(dot(vectors[entry.row] ?? query, query), 5);
      expect(got.map((entry) => entry.score)).toEqual(
        [...got.map((entry) => entry.score)].sort((a, b) => b - a),
      );
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.99);
  });

  it('returns every row when fewer than asked, and nothing for keep 0 or an empty index', () => {
    const vectors = randomVectors(3, 8, 8, 3);
    const index = buildColumnIndex(Int32Array.of(5, 6, 7), 8, (row) => vectors[row] ?? new Float32Array(8));
    const query = vectors[1] ?? new Float32Array(8);
    expect(columnTopRows(index, query, 10).map((entry) => entry.row)).toHaveLength(3);
    expect(columnTopRows(index, query, 10)[0]?.row).toBe(1);
    expect(columnTopRows(index, query, 0)).toEqual([]);
    const empty = buildColumnIndex(new Int32Array(0), 8, () => new Float32Array(8));
    expect(columnTopRows(empty, query, 5)).toEqual([]);
  });

  it('a zero query scores every row 0', () => {
    const vectors = randomVectors(4, 8, 8, 5);
    const index = buildColumnIndex(
      Int32Array.of(1, 2, 3, 4),
      8,
      (row) => vectors[row] ?? new Float32Array(8),
    );
    expect(columnTopRows(index, new Float32Array(8), 2)).toEqual([
      { row: 0, score: 0 },
      { row: 1, score: 0 },
    ]);
  });
});

describe('selectTop', () => {
  it.each([
    { scores: [0.1, 0.9, 0.5, 0.7], keep: 2, rows: [1, 3] },
    { scores: [3, 1, 2], keep: 5, rows: [0, 2, 1] },
    { scores: [1, 1, 1], keep: 2, rows: [0, 1] },
    { scores: [-1, -2], keep: 1, rows: [0] },
    { scores: Array.from({ length: 100 }, (_, row) => row % 10), keep: 3, rows: [9, 19, 29] },
  ])('keeps the $keep best of $scores.length', ({ scores, keep, rows }) => {
    expect(selectTop(Float64Array.from(scores), keep).map((entry) => entry.row)).toEqual(rows);
  });
});
