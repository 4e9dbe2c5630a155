import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { AppError } from '../http/index.js';
import { audioSamples } from './audio-samples.js';
import type { Transcription, TranscribeOptions } from './speech-types.js';
import type { WhisperWorkerReply, WhisperWorkerRequest, WhisperWorkerSettings } from './whisper-worker.js';

// Plain CommonJS that loads the TypeScript worker through tsx's scoped loader (as the embedding
// worker does, minilm-worker-client.ts): `--import` in execArgv does not reach a worker's entry.
const bootstrapSource = `
const { workerData } = require('node:worker_threads');
import(workerData.tsxApi).then(({ tsImport }) => tsImport(workerData.entry, workerData.entry));
`;
const isTypeScript = import.meta.url.endsWith('.ts');
/** Loading takes 1–2 s here, ~10 s under heavy load; this is far beyond both. */
const loadTimeoutMs = 120_000;

type Pending = { resolve: (value: Transcription) => void; reject: (error: Error) => void };

export type WhisperOnnxOptions = {
  /** encoder.onnx, decoder.onnx, onnx.json, config.json, tokenizer.json (scripts/setup-speech.sh). */
  modelDir: string;
  threads: number;
  ffmpeg: string;
};

/**
 * Whisper on onnxruntime-node in a worker thread: ffmpeg decodes the upload (a child process),
 * the worker does the rest (features, encoder, decoding), so the event loop only passes samples
 * and text. The worker starts on first use (loading takes a few seconds) and lives on; one that
 * dies fails what it held and the next request starts a new one.
 */
export class WhisperOnnx {
  private worker: Worker | undefined;
  private ready: Promise<number> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(private readonly options: WhisperOnnxOptions) {}

  async transcribe(bytes: Buffer, options: TranscribeOptions): Promise<Transcription> {
    const [samples] = await Promise.all([audioSamples(bytes, this.options.ffmpeg), this.start()]);
    const worker = this.worker;
    if (!worker) throw new Error('the speech-to-text worker stopped');
    const id = this.nextId++;
    return new Promise<Transcription>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      const request: WhisperWorkerRequest = {
        id,
        samples,
        language: options.language ?? null,
        prompt: options.prompt ?? null,
      };
      worker.postMessage(request, [samples.buffer]);
    });
  }

  /** Starts the worker if needed; resolves with the model's load time in ms once it is loaded. */
  start(): Promise<number> {
    if (this.ready) return this.ready;
    const settings: WhisperWorkerSettings = {
      modelDir: this.options.modelDir,
      threads: this.options.threads,
    };
    const worker = isTypeScript
      ? new Worker(bootstrapSource, {
          eval: true,
          workerData: {
            ...settings,
            tsxApi: tsxEsmApiUrl(),
            entry: new URL('./whisper-worker.ts', import.meta.url).href,
          },
        })
      : new Worker(new URL('./whisper-worker.js', import.meta.url), { workerData: settings });
    this.worker = worker;
    const ready = new Promise<number>((resolve, reject) => {
      // A worker that never reports (stuck loading on an overloaded machine) fails the request
      // rather than holding it for ever.
      const timer = setTimeout(
        () => reject(new Error(`Whisper did not load within ${loadTimeoutMs} ms`)),
        loadTimeoutMs,
      );
      timer.unref();
      worker.on('message', (reply: WhisperWorkerReply) => {
        if (reply.kind === 'ready') {
          clearTimeout(timer);
          if (this.pending.size === 0) worker.unref();
          return resolve(reply.loadMs);
        }
        if (reply.kind === 'not-loaded')
          return reject(new Error(`Whisper could not be loaded: ${reply.error}`));
        this.settle(reply);
      });
      const stop = (error: Error) => {
        reject(error);
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
        if (this.worker === worker) {
          this.worker = undefined;
          this.ready = undefined;
        }
      };
      worker.on('error', stop);
      worker.on('exit', (code) => stop(new Error(`the speech-to-text worker stopped (exit code ${code})`)));
    });
    // A failed start is retried by the next request, not remembered.
    this.ready = ready.catch((error: unknown) => {
      this.ready = undefined;
      this.worker = undefined;
      void worker.terminate();
      throw error;
    });
    return this.ready;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
  }

  private settle(reply: Extract<WhisperWorkerReply, { id: number }>): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (reply.kind === 'failed') {
      waiting.reject(
        reply.isBadRequest
          ? new AppError('bad_request', 400, reply.error)
          : new Error(`speech-to-text failed: ${reply.error}`),
      );
      return;
    }
    const { text, language, duration, segments } = reply;
    waiting.resolve({ text, language, duration, segments });
  }
}

/** tsx's ESM API by its package's export map (see minilm-worker-client.ts for why not require). */
function tsxEsmApiUrl(): string {
  const manifestPath = createRequire(import.meta.url).resolve('tsx/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    exports: { './esm/api': { import: { default: string } } };
  };
  return pathToFileURL(join(dirname(manifestPath), manifest.exports['./esm/api'].import.default)).href;
}
