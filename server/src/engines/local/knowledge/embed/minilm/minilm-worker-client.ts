import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { PassageInput, WorkerReply, WorkerRequest, WorkerSettings } from './minilm-worker.js';

const dimensions = 384;

// Plain CommonJS that loads the TypeScript worker through tsx's scoped loader: `--import` in a
// worker's execArgv does not apply to the worker's own entry file on Node 20.
const bootstrapSource = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ tsImport }) => tsImport(workerData.entry, workerData.entry));
`;

/** How long closing waits for the worker's model call under way (a batch takes well under a second). */
const closeGraceMs = 10_000;

type Pending = { resolve: (vectors: Float32Array[][]) => void; reject: (error: Error) => void };

/** Whether this module runs as TypeScript (tsx, vitest) rather than compiled (`npm start`). */
const isTypeScript = import.meta.url.endsWith('.ts');

/**
 * The main thread's side of the embedding worker: one worker, started once, requests answered
 * in order. As TypeScript (tsx, vitest) the worker starts with the tsx loader, which is what lets
 * the thread import .ts files; compiled, it is the JavaScript file beside this one (the worker
 * inherits the process's `--conditions`).
 */
export class MinilmWorkerClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | null = null;
  private hasExited = false;
  /** Settles when the model is loaded and warmed up, or rejects with why it could not be. */
  readonly ready: Promise<void>;
  /** How long the worker's warm-up model call took (minilm-worker.ts); NaN until ready. */
  warmUpMs = Number.NaN;

  constructor(settings: WorkerSettings) {
    this.worker = isTypeScript
      ? new Worker(bootstrapSource, {
          eval: true,
          workerData: {
            ...settings,
            tsxApi: tsxEsmApiUrl(),
            entry: new URL('./minilm-worker.ts', import.meta.url).href,
          },
        })
      : new Worker(new URL('./minilm-worker.js', import.meta.url), { workerData: settings });
    this.ready = new Promise<void>((resolve, reject) => {
      this.worker.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          this.warmUpMs = reply.warmUpMs;
          // Loaded and idle: the worker alone must not keep the process alive.
          if (this.pending.size === 0) this.worker.unref();
          return resolve();
        }
        this.settle(reply);
      });
      this.worker.on('error', (error) => {
        this.stop(error);
        reject(error);
      });
      this.worker.on('exit', (code) => {
        this.hasExited = true;
        const error = new Error(`the embedding worker stopped (exit code ${code})`);
        this.stop(error);
        reject(error);
      });
    });
    // The caller awaits `ready`; an unobserved rejection here would crash the process.
    this.ready.catch(() => {});
  }

  /** One vector per query (truncated at the model's 256 tokens). */
  async embedQueries(texts: readonly string[]): Promise<Float32Array[]> {
    const grouped = await this.request({ kind: 'queries', texts: [...texts] });
    return grouped.map((vectors) => vectors[0] ?? new Float32Array(dimensions));
  }

  /** Per passage, the vectors of its windows. */
  embedPassages(
    passages: readonly PassageInput[],
    windowTokens: number,
    contextTokens: number,
  ): Promise<Float32Array[][]> {
    return this.request({ kind: 'passages', passages: [...passages], windowTokens, contextTokens });
  }

  /**
   * Stops the worker once its model call under way has finished (terminating a thread inside
   * onnxruntime aborts the process); past `closeGraceMs` it is terminated all the same.
   */
  async close(): Promise<void> {
    this.stop(new Error('the embedding worker was closed'));
    if (this.hasExited) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.postMessage({ kind: 'close' } satisfies WorkerRequest);
    const timer = setTimeout(() => void this.worker.terminate(), closeGraceMs);
    await exited;
    clearTimeout(timer);
  }

  private async request(body: DistributiveOmit<WorkerRequest, 'id'>): Promise<Float32Array[][]> {
    await this.ready;
    if (this.failure) throw this.failure;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Referenced while work is outstanding, so a script's last batch is not cut off.
      this.worker.ref();
      this.worker.postMessage({ ...body, id });
    });
  }

  private settle(reply: Exclude<WorkerReply, { ready: true }>): void {
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in reply) return pending.reject(new Error(`embedding failed: ${reply.error}`));
    const grouped: Float32Array[][] = [];
    let offset = 0;
    for (const count of reply.counts) {
      const vectors: Float32Array[] = [];
      for (let index = 0; index < count; index += 1, offset += dimensions)
        vectors.push(reply.vectors.slice(offset, offset + dimensions));
      grouped.push(vectors);
    }
    pending.resolve(grouped);
  }

  private stop(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}

/**
 * tsx's ESM API by its package's export map: `require.resolve` would pick the CommonJS build,
 * whose loader registration fails from an eval'd worker, and vitest has no import.meta.resolve.
 */
function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api'].import.default)).href;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
