import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DocumentReader } from './document-reader.js';
import type { Embedder } from './embedder.js';
import type { KnowledgeStore } from './knowledge-store.js';
import { localEmbeddingDimensions } from './local-embedding.js';
import { IngestionError } from './parse-document.js';
import type { VectorCache } from './vector-cache.js';

type Job = { vectorStoreId: string; fileId: string };
type Waiter = { vectorStoreId: string | undefined; resolve: () => void };

/** The model-free embedding's name (embedder.ts): the document reader's child computes it. */
const localEmbeddingModel = `local-hash-${localEmbeddingDimensions}`;

/** Ingestions a file may start before one that keeps being interrupted is marked failed. */
export const maxIngestionAttempts = 3;

/**
 * Ingests attached files one at a time in the background. Parsing and chunking happen in the
 * document reader's child process (bounded in memory and time); this loop embeds and indexes the
 * chunks a slice at a time, one event-loop turn each, so a 50 MB file never holds up requests.
 * Every job ends with the pair `completed` or `failed`, except one cut short by shutdown, which
 * stays `in_progress` and is resumed on the next start, at most `maxIngestionAttempts` times.
 */
export class IngestionQueue {
  private readonly jobs: Job[] = [];
  private current: Job | null = null;
  private running: Promise<void> | null = null;
  private readonly waiters: Waiter[] = [];
  private isStopped = false;

  constructor(
    private readonly deps: {
      store: KnowledgeStore;
      vectors: VectorCache;
      embedder: Embedder;
      reader: DocumentReader;
      filePath: (fileId: string) => string;
    },
  ) {}

  enqueue(vectorStoreId: string, fileId: string): void {
    this.jobs.push({ vectorStoreId, fileId });
    this.running ??= this.drain();
  }

  /**
   * Files left `in_progress` by a previous process are ingested again, unless their ingestion
   * has already started `maxIngestionAttempts` times: then whatever stops the process while
   * reading them (this is how a crash loop at start-up is avoided) marks them failed instead.
   */
  resumeInterrupted(): void {
    for (const job of this.deps.store.listInterrupted()) {
      if (job.attempts < maxIngestionAttempts) this.enqueue(job.vectorStoreId, job.fileId);
      else {
        this.deps.store.failIngestion(job.vectorStoreId, job.fileId, {
          code: 'server_error',
          message: `ingestion was interrupted ${job.attempts} times (the server stopped while reading this file); add the file again to retry`,
        });
      }
    }
  }

  idle(vectorStoreId?: string): Promise<void> {
    if (!this.isPending(vectorStoreId)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ vectorStoreId, resolve }));
  }

  /** Stops after the current slice; the file being ingested stays `in_progress` for the next start. */
  async stop(): Promise<void> {
    this.isStopped = true;
    this.jobs.length = 0;
    await this.deps.reader.close();
    await this.running;
  }

  private isPending(vectorStoreId: string | undefined): boolean {
    const matches = (job: Job | null) =>
      job !== null && (vectorStoreId === undefined || job.vectorStoreId === vectorStoreId);
    return matches(this.current) || this.jobs.some(matches);
  }

  private async drain(): Promise<void> {
    while (!this.isStopped) {
      const job = this.jobs.shift();
      if (!job) break;
      this.current = job;
      await this.ingest(job);
      this.current = null;
      this.wakeWaiters();
    }
    this.running = null;
    this.current = null;
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (let index = this.waiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.waiters[index];
      if (waiter && (this.isStopped || !this.isPending(waiter.vectorStoreId))) {
        this.waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  private async ingest({ vectorStoreId, fileId }: Job): Promise<void> {
    const { store, vectors, embedder, reader } = this.deps;
    const file = store.getStoreFileDetails(vectorStoreId, fileId);
    if (!file || file.status !== 'in_progress') return;
    if (!store.startIngestion(vectorStoreId, fileId)) return;
    try {
      let firstOrdinal = 0;
      const batches = reader.read({
        path: this.deps.filePath(fileId),
        fileName: file.fileName,
        chunking: {
          maxTokens: file.chunking.maxChunkSizeTokens,
          overlapTokens: file.chunking.chunkOverlapTokens,
        },
        embedLocally: embedder.model === localEmbeddingModel,
      });
      for await (const { chunks, embeddings: computed } of batches) {
        if (this.isStopped) return;
        const embeddings =
          computed ??
          (await embedder.embed(chunks.map((chunk) => chunk.embeddingText)).catch((error: unknown) => {
            throw new IngestionError(
              'server_error',
              'the embeddings endpoint failed; try adding the file again',
              { cause: error },
            );
          }));
        const slice = { chunks, embeddings, firstOrdinal };
        if (!store.appendChunks(vectorStoreId, fileId, slice, embedder.model, newChunkId)) return;
        firstOrdinal += chunks.length;
        // Requests and streams get the event loop between slices.
        await nextTurn();
      }
      if (!this.isStopped) store.finishIngestion(vectorStoreId, fileId);
    } catch (error) {
      // Shutdown ended the reader: the file stays in_progress and is resumed on the next start.
      if (this.isStopped) return;
      const failure =
        error instanceof IngestionError
          ? { code: error.code, message: error.message }
          : { code: 'server_error', message: 'the file could not be processed' };
      store.failIngestion(vectorStoreId, fileId, failure);
    } finally {
      vectors.invalidate(vectorStoreId);
    }
  }
}

const newChunkId = () => `chunk_${randomBytes(9).toString('base64url').replace(/[-_]/g, 'x')}`;
