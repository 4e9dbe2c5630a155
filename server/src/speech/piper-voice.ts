import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { PiperVoiceConfig } from './piper-phonemes.js';
import { piperWorkerSource } from './piper-worker-source.js';

type Reply = { id: number; pcm?: Int16Array; error?: string; ready?: true };
type Pending = { resolve: (pcm: Int16Array) => void; reject: (error: Error) => void };

/**
 * A Piper voice (`<name>.onnx` + `<name>.onnx.json`) on onnxruntime-node in a worker thread: one
 * worker, started on first use (or by `warmUp`), sentences synthesised in order.
 */
export class PiperVoice {
  readonly config: PiperVoiceConfig;
  private worker: Worker | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(
    readonly modelPath: string,
    private readonly threads = 1,
  ) {
    this.config = JSON.parse(readFileSync(`${modelPath}.json`, 'utf8')) as PiperVoiceConfig;
  }

  /** Loads the model now (≈1–3 s here), so the first sentence asked for is not kept waiting. */
  warmUp(): void {
    this.start();
  }

  /** 16-bit mono PCM at `config.audio.sample_rate` for one sentence's phoneme ids. */
  synthesize(ids: number[], lengthScale: number): Promise<Int16Array> {
    const worker = this.start();
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    const { noise_scale: noise, noise_w: noiseWidth } = this.config.inference;
    return new Promise<Int16Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.ref();
      worker.postMessage({ id, ids, scales: [noise, lengthScale, noiseWidth] });
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(piperWorkerSource, {
      eval: true,
      workerData: {
        modelPath: this.modelPath,
        threads: this.threads,
        onnxruntime: createRequire(import.meta.url).resolve('onnxruntime-node'),
      },
    });
    worker.unref();
    worker.on('message', (reply: Reply) => this.settle(reply));
    worker.on('error', (error) => this.stop(error));
    worker.on('exit', (code) => this.stop(new Error(`the Piper worker stopped (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }

  private settle(reply: Reply): void {
    if (reply.id === -1) {
      if (reply.error) this.stop(new Error(`the Piper voice could not be loaded: ${reply.error}`));
      return;
    }
    const pending = this.pending.get(reply.id);
    this.pending.delete(reply.id);
    if (this.pending.size === 0) this.worker?.unref();
    if (!pending) return;
    if (reply.pcm) pending.resolve(reply.pcm);
    else pending.reject(new Error(reply.error ?? 'the Piper voice gave no audio'));
  }

  private stop(error: Error): void {
    this.failure ??= error;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
