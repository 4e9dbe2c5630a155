import { rowScoresWasm } from './row-scores-wasm.js';

/**
 * The part of the WebAssembly JavaScript API used here: Node has it, but @types/node 20 does not
 * declare it (lib.dom does, which a server should not pull in).
 */
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer };
  Instance: new (
    module: WasmModule,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
};
type WasmModule = object;

type Kernel = (matrix: number, count: number, dimensions: number, query: number, out: number) => void;

/** The assembled row-scores.wat, or null where WebAssembly SIMD is not available. */
const kernelModule = compileKernel();

function compileKernel(): WasmModule | null {
  try {
    const bytes = Buffer.from(rowScoresWasm, 'base64');
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/**
 * Row-major vectors held in WebAssembly memory, scored against a query by the SIMD kernel of
 * row-scores.wat (~7× the scalar JavaScript loop). Memory is laid out as the query, then
 * `capacity` rows, then one score per row; a store that outgrows it is copied into a larger one
 * (vector-cache.ts grows geometrically), as a Float32Array would be.
 */
export class SimdRows {
  /** `capacity × dimensions` floats, row by row: write vectors here. */
  readonly matrix: Float32Array;
  private readonly query: Float32Array;
  private readonly scores: Float32Array;
  private readonly kernel: Kernel;

  /**
   * Null when the kernel cannot serve these vectors (no WebAssembly SIMD, or dimensions not a
   * multiple of 8, the kernel's two 4-lane steps): the caller keeps its JavaScript scan.
   */
  static create(dimensions: number, capacity: number): SimdRows | null {
    if (!kernelModule || dimensions <= 0 || dimensions % 8 !== 0) return null;
    return new SimdRows(kernelModule, dimensions, Math.max(1, capacity));
  }

  private constructor(
    module: WasmModule,
    private readonly dimensions: number,
    readonly capacity: number,
  ) {
    const floats = dimensions + capacity * dimensions + capacity;
    const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65_536) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.kernel = instance.exports.scores as Kernel;
    this.query = new Float32Array(memory.buffer, 0, dimensions);
    this.matrix = new Float32Array(memory.buffer, dimensions * 4, capacity * dimensions);
    this.scores = new Float32Array(memory.buffer, (dimensions + capacity * dimensions) * 4, capacity);
  }

  /**
   * The dot product of each of the first `count` rows with `query` (float32 sums). The array is
   * this object's and is overwritten by the next call.
   */
  scoresOf(query: Float32Array, count: number): Float32Array {
    if (query.length !== this.dimensions)
      throw new Error(`query has ${query.length} dimensions, the rows ${this.dimensions}`);
    const rows = Math.min(Math.max(0, count), this.capacity);
    this.query.set(query);
    this.kernel(this.matrix.byteOffset, rows, this.dimensions, 0, this.scores.byteOffset);
    return this.scores.subarray(0, rows);
  }
}
