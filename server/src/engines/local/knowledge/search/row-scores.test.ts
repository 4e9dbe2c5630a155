import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import wabtInit from 'wabt';
import { describe, expect, it } from 'vitest';
import { rowScoresWasm } from './row-scores-wasm.js';
import { SimdRows } from './row-scores.js';

function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state / 2 ** 32 - 0.5;
  };
}

describe('SimdRows', () => {
  it('holds the bytes row-scores.wat assembles to (run scripts/build-row-scores-wasm.mjs after editing it)', async () => {
    const wabt = await wabtInit();
    const source = readFileSync(fileURLToPath(new URL('./row-scores.wat', import.meta.url)), 'utf8');
    const module = wabt.parseWat('row-scores.wat', source, { simd: true });
    module.validate();
    const assembled = Buffer.from(module.toBinary({}).buffer).toString('base64');
    module.destroy();
    expect(rowScoresWasm).toBe(assembled);
  });

  it.each([8, 256, 384, 1536])(
    'scores each row as its dot product with the query: %i dimensions',
    (dimensions) => {
      const random = seededRandom(dimensions);
      const count = 37;
      const rows = SimdRows.create(dimensions, count);
      expect(rows).not.toBeNull();
      if (!rows) return;
      for (let index = 0; index < count * dimensions; index += 1) rows.matrix[index] = random();
      const query = Float32Array.from({ length: dimensions }, () => random());
      const scores = rows.scoresOf(query, count);
      expect(scores).toHaveLength(count);
      for (let row = 0; row < count; row += 1) {
        let expected = 0;
        for (let column = 0; column < dimensions; column += 1)
          expected += (rows.matrix[row * dimensions + column] ?? 0) * (query[column] ?? 0);
        // float32 sums in eight lanes against a float64 sum: equal to float32 precision.
        expect(scores[row]).toBeCloseTo(expected, 4);
      }
      // Only the rows in use are scored; rows past `count` are left alone.
      expect(rows.scoresOf(query, 5)).toHaveLength(5);
      expect(rows.scoresOf(query, 0)).toHaveLength(0);
    },
  );

  it('a second query overwrites the first one’s scores (no state kept between calls)', () => {
    const rows = SimdRows.create(8, 2);
    if (!rows) throw new Error('no SIMD kernel');
    rows.matrix.set([1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]);
    expect([...rows.scoresOf(Float32Array.of(2, 0, 0, 0, 0, 0, 0, 0), 2)]).toEqual([2, 0]);
    expect([...rows.scoresOf(Float32Array.of(0, 3, 0, 0, 0, 0, 0, 0), 2)]).toEqual([0, 3]);
  });

  it('declines dimensions the kernel cannot step through, and a query of another size', () => {
    expect(SimdRows.create(12, 4)).toBeNull();
    expect(SimdRows.create(0, 4)).toBeNull();
    const rows = SimdRows.create(16, 4);
    expect(() => rows?.scoresOf(new Float32Array(8), 4)).toThrow(/8 dimensions/);
  });
});
