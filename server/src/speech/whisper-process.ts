import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { whisperWorkerSource } from './whisper-worker-source.js';
import { AppError } from '../http/index.js';
import type { Transcription, TranscribeOptions } from './speech-types.js';

export type WhisperProcessOptions = {
  /** A Python with faster-whisper installed (STT_PYTHON). */
  python: string;
  /** Whisper's CTranslate2 weights: model.bin, config.json, tokenizer.json, vocabulary.txt. */
  modelDir: string;
  threads: number;
  /** Loading base takes ~4 s here; a slow first start on a loaded machine gets this long. */
  startTimeoutMs?: number;
};

type WorkerReply =
  | { ready: true }
  | {
      id: number;
      text: string;
      language: string;
      duration: number;
      segments: Transcription['segments'];
    }
  | { id: number; error: 'invalid_audio' | 'failed'; message: string };

type Pending = { resolve: (value: Transcription) => void; reject: (error: Error) => void };

/**
 * Whisper in a child process: the model is loaded once and requests are answered in order, so
 * inference never runs on the server's event loop (a separate process rather than a worker
 * thread, because the runtime is Python's CTranslate2). A process that dies fails what it held
 * and the next request starts a new one.
 */
export class WhisperProcess {
  private child: ChildProcessWithoutNullStreams | undefined;
  private ready: Promise<void> | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private directory: Promise<string> | undefined;
  private isClosed = false;

  constructor(private readonly options: WhisperProcessOptions) {}

  async transcribe(bytes: Buffer, options: TranscribeOptions): Promise<Transcription> {
    if (this.isClosed) throw new Error('speech-to-text is shutting down');
    await this.start();
    this.directory ??= mkdtemp(join(tmpdir(), 'threadline-stt-'));
    const id = this.nextId++;
    const path = join(await this.directory, `${id}.audio`);
    await writeFile(path, bytes);
    try {
      return await new Promise<Transcription>((resolve, reject) => {
        this.pending.set(id, { resolve, reject });
        const request = { id, path, language: options.language ?? null, prompt: options.prompt ?? null };
        this.child?.stdin.write(`${JSON.stringify(request)}\n`);
      });
    } finally {
      await rm(path, { force: true });
    }
  }

  /** Starts the worker (if not running) and resolves once the model is loaded. */
  start(): Promise<void> {
    if (this.ready) return this.ready;
    const child = spawn(this.options.python, ['-c', whisperWorkerSource, this.options.modelDir], {
      env: { ...process.env, STT_THREADS: String(this.options.threads), PYTHONUNBUFFERED: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
    });
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the speech-to-text worker did not load its model within ${this.timeoutMs} ms`));
        child.kill();
      }, this.timeoutMs);
      createInterface({ input: child.stdout }).on('line', (line) => {
        const reply = JSON.parse(line) as WorkerReply;
        if ('ready' in reply) {
          clearTimeout(timer);
          resolve();
          return;
        }
        const waiting = this.pending.get(reply.id);
        if (!waiting) return;
        this.pending.delete(reply.id);
        if ('error' in reply) {
          waiting.reject(
            reply.error === 'invalid_audio'
              ? new AppError('bad_request', 400, `The audio could not be decoded: ${reply.message}`)
              : new Error(`speech-to-text failed: ${reply.message}`),
          );
        } else {
          waiting.resolve({
            text: reply.text,
            language: reply.language,
            duration: reply.duration,
            segments: reply.segments,
          });
        }
      });
      child.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        const error = new Error(
          `the speech-to-text worker exited (${signal ?? code ?? 'unknown'}): ${stderr.trim().split('\n').at(-1) ?? ''}`,
        );
        reject(error);
        for (const waiting of this.pending.values()) waiting.reject(error);
        this.pending.clear();
        if (this.child === child) {
          this.child = undefined;
          this.ready = undefined;
        }
      });
    });
    // A failed start is retried by the next request, not remembered.
    this.ready = ready.catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  async close(): Promise<void> {
    this.isClosed = true;
    const child = this.child;
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end();
      child.kill();
      await exited;
    }
    if (this.directory) await rm(await this.directory, { recursive: true, force: true });
  }

  private get timeoutMs(): number {
    return this.options.startTimeoutMs ?? 120_000;
  }
}
