import { fork, type ChildProcess } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { setPriority } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ChunkingOptions } from './chunk-text.js';
import { documentKind, IngestionError, parseDocument, type DocumentLimits } from './parse-document.js';
import { prepareChunks, type PreparedChunk } from './prepare-chunks.js';

export type ReaderRequest =
  | {
      type: 'read';
      path: string;
      fileName: string;
      chunking: ChunkingOptions;
      limits: DocumentLimits;
      batchSize: number;
      /** Whether the child also computes the model-free local embeddings (CPU work, kept off the server). */
      embedLocally: boolean;
    }
  | { type: 'more' };
export type ReaderReply =
  | { type: 'chunks'; chunks: PreparedChunk[]; embeddings?: Float32Array[] | undefined; isLast: boolean }
  | { type: 'error'; code: IngestionError['code']; message: string };

export type DocumentReaderOptions = {
  /** How long the child may take to answer one request (parse a document, or hand over a batch). */
  timeoutMs: number;
  /** The child's heap limit. */
  maxMemoryMb: number;
  limits: DocumentLimits;
  /** Chunks per batch handed back (default 32: about 10 ms to index on the event loop). */
  batchSize?: number;
  /** How long an idle child stays up for the next document (default 30 s). */
  idleMs?: number;
  /**
   * Text, Markdown and HTML files up to this size are read in this process (a few milliseconds),
   * sparing the child's start-up (a second or two) for the common small upload (default 64 KiB).
   */
  inlineMaxBytes?: number;
};

const inlineKinds = new Set(['text', 'markdown', 'html']);
const childNiceness = 10;

export type ChunkBatch = { chunks: PreparedChunk[]; embeddings?: Float32Array[] | undefined };

const thisFile = fileURLToPath(import.meta.url);
const isTypeScript = thisFile.endsWith('.ts');
const childEntry = join(dirname(thisFile), `document-process${isTypeScript ? '.ts' : '.js'}`);
// The server runs its TypeScript through tsx; the child needs the same loader.
const tsxLoader = () =>
  pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/loader.mjs'))
    .href;

/**
 * Parses and chunks documents in a child process, so that no document — a zip bomb, a PDF that
 * never ends, 50 MB of text — can block the server's event loop, take its memory or bring it
 * down: the child has its own heap limit and a deadline per request, and is ended when it passes
 * either (the document fails with a clear `last_error`); a crash of the child ends only the child.
 * Documents are read one at a time; chunks come back in batches, one per `next()`.
 */
export class DocumentReader {
  private child: ChildProcess | null = null;
  private waiting: {
    resolve: (reply: ReaderReply) => void;
    reject: (error: IngestionError) => void;
    timer: NodeJS.Timeout;
  } | null = null;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: DocumentReaderOptions) {}

  /**
   * The document's chunks, batch by batch (with their local embeddings when `embedLocally` and
   * the child read it); throws IngestionError when it cannot be read.
   */
  async *read(input: {
    path: string;
    fileName: string;
    chunking: ChunkingOptions;
    embedLocally?: boolean;
  }): AsyncIterable<ChunkBatch> {
    const batchSize = this.options.batchSize ?? 32;
    if (await this.isInline(input)) {
      const bytes = await readFile(input.path).catch((error: unknown) => {
        throw new IngestionError('server_error', 'the stored file could not be read', { cause: error });
      });
      const chunks = prepareChunks(
        input.fileName,
        await parseDocument(input.fileName, bytes, this.options.limits),
        input.chunking,
      );
      for (let index = 0; index < chunks.length; index += batchSize)
        yield { chunks: chunks.slice(index, index + batchSize) };
      return;
    }
    clearTimeout(this.idleTimer);
    let reply = await this.request({
      type: 'read',
      path: input.path,
      fileName: input.fileName,
      chunking: input.chunking,
      embedLocally: input.embedLocally ?? false,
      limits: this.options.limits,
      batchSize,
    });
    try {
      for (;;) {
        if (reply.type === 'error') throw new IngestionError(reply.code, reply.message);
        yield { chunks: reply.chunks, embeddings: reply.embeddings };
        if (reply.isLast) return;
        reply = await this.request({ type: 'more' });
      }
    } finally {
      this.idle();
    }
  }

  private async isInline(input: { path: string; fileName: string }): Promise<boolean> {
    const kind = documentKind(input.fileName);
    if (kind === null || !inlineKinds.has(kind)) return false;
    const size = await stat(input.path).then(
      (stats) => stats.size,
      () => Number.POSITIVE_INFINITY,
    );
    return size <= (this.options.inlineMaxBytes ?? 64 * 1024);
  }

  async close(): Promise<void> {
    clearTimeout(this.idleTimer);
    this.stop(new IngestionError('server_error', 'the server is shutting down'));
  }

  private request(message: ReaderRequest): Promise<ReaderReply> {
    return new Promise((resolve, reject) => {
      let child: ChildProcess;
      try {
        child = this.child ??= this.start();
      } catch (error) {
        reject(new IngestionError('server_error', 'the document reader could not start', { cause: error }));
        return;
      }
      const timer = setTimeout(
        () =>
          this.stop(
            new IngestionError(
              'invalid_file',
              `reading the document took longer than ${Math.round(this.options.timeoutMs / 1000)} s`,
            ),
          ),
        this.options.timeoutMs,
      );
      this.waiting = { resolve, reject, timer };
      // Referenced while it works (a pending ingestion keeps the process up), not while idle.
      child.ref();
      child.channel?.ref?.();
      child.send(message);
    });
  }

  private start(): ChildProcess {
    const child = fork(childEntry, [], {
      execArgv: [
        // Compiled, the child resolves @threadline/shared as this process does (`--conditions`).
        ...(isTypeScript
          ? ['--import', tsxLoader()]
          : process.execArgv.filter((arg) => arg.startsWith('--conditions'))),
        `--max-old-space-size=${this.options.maxMemoryMb}`,
      ],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    // Below the server in CPU priority: on a busy machine, requests and streams come first.
    if (child.pid !== undefined) {
      try {
        setPriority(child.pid, childNiceness);
      } catch {
        // Not permitted here (some containers): the child runs at normal priority.
      }
    }
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2000);
    });
    child.on('message', (reply: ReaderReply) => {
      if (this.child !== child || !this.waiting) return;
      const { resolve, timer } = this.waiting;
      clearTimeout(timer);
      this.waiting = null;
      resolve(reply);
    });
    child.on('exit', (code, signal) => {
      if (this.child !== child) return;
      const isOutOfMemory = /heap out of memory|invalid size|allocation failed/i.test(stderr);
      this.stop(
        new IngestionError(
          'invalid_file',
          isOutOfMemory
            ? `reading the document needed more than ${this.options.maxMemoryMb} MB of memory`
            : `the document reader stopped while reading the file (${signal ?? `exit code ${code}`})`,
        ),
      );
    });
    child.on('error', () => undefined);
    return child;
  }

  /** Ends the child (once) and fails the request it was answering. */
  private stop(failure: IngestionError): void {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    const waiting = this.waiting;
    this.waiting = null;
    if (waiting) {
      clearTimeout(waiting.timer);
      waiting.reject(failure);
    }
  }

  private idle(): void {
    const child = this.child;
    if (!child) return;
    child.unref();
    child.channel?.unref?.();
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.child === child && !this.waiting) {
        this.child = null;
        child.disconnect();
      }
    }, this.options.idleMs ?? 30_000);
    this.idleTimer.unref();
  }
}
