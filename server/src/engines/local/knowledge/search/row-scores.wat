;; The row scan of vector-cache.ts in WebAssembly with 128-bit SIMD (assembled into
;; row-scores-wasm.ts by `node scripts/build-row-scores-wasm.mjs`; a test checks the two agree).
;; JavaScript has no SIMD, and the scan was 40% of a search's CPU with all-MiniLM-L6-v2's 384-d
;; window vectors (13,300 of them for the Git docs: ~5.7 ms a query as scalar JavaScript,
;; ~0.75 ms here).
;;
;; scores(matrix, count, dims, query, out): out[row] = dot(matrix[row], query) for every row,
;; all addresses in bytes, float32 row-major, dims a multiple of 8 (two 4-lane accumulators).
(module
  (import "env" "memory" (memory 1))
  (func (export "scores")
    (param $matrix i32) (param $count i32) (param $dims i32) (param $query i32) (param $out i32)
    (local $rowEnd i32) (local $column i32) (local $queryColumn i32)
    (local $sum0 v128) (local $sum1 v128) (local $outEnd i32)
    (local.set $outEnd (i32.add (local.get $out) (i32.shl (local.get $count) (i32.const 2))))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $out) (local.get $outEnd)))
        (local.set $sum0 (v128.const f32x4 0 0 0 0))
        (local.set $sum1 (v128.const f32x4 0 0 0 0))
        (local.set $column (local.get $matrix))
        (local.set $queryColumn (local.get $query))
        (local.set $rowEnd (i32.add (local.get $matrix) (i32.shl (local.get $dims) (i32.const 2))))
        (block $rowDone
          (loop $columns
            (br_if $rowDone (i32.ge_u (local.get $column) (local.get $rowEnd)))
            (local.set $sum0 (f32x4.add (local.get $sum0)
              (f32x4.mul (v128.load (local.get $column)) (v128.load (local.get $queryColumn)))))
            (local.set $sum1 (f32x4.add (local.get $sum1)
              (f32x4.mul (v128.load offset=16 (local.get $column)) (v128.load offset=16 (local.get $queryColumn)))))
            (local.set $column (i32.add (local.get $column) (i32.const 32)))
            (local.set $queryColumn (i32.add (local.get $queryColumn) (i32.const 32)))
            (br $columns)))
        (local.set $sum0 (f32x4.add (local.get $sum0) (local.get $sum1)))
        (f32.store (local.get $out)
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $sum0)) (f32x4.extract_lane 1 (local.get $sum0)))
            (f32.add (f32x4.extract_lane 2 (local.get $sum0)) (f32x4.extract_lane 3 (local.get $sum0)))))
        (local.set $matrix (local.get $rowEnd))
        (local.set $out (i32.add (local.get $out) (i32.const 4)))
        (br $rows)))))
