import { randomBytes } from 'node:crypto';
import type { Embedder } from './embedder.js';
import type { KnowledgeStore } from './knowledge-store.js';
import { IngestionError, parseDocument } from './parse-document.js';
import { prepareChunks } from './prepare-chunks.js';
import type { VectorCache } from './vector-cache.js';

type Job = { vectorStoreId: string; fileId: string };
type Waiter = { vectorStoreId: string | undefined; resolve: () => void };

/**
 * Ingests attached files one at a time in the background (parsing and embedding are CPU- or
 * network-bound; running them serially keeps request latency steady). Every job ends with the
 * pair `completed` or `failed`; nothing is left `in_progress`.
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
      readBytes: (fileId: string) => Promise<Buffer>;
    },
  ) {}

  enqueue(vectorStoreId: string, fileId: string): void {
    this.jobs.push({ vectorStoreId, fileId });
    this.running ??= this.drain();
  }

  /** Files left `in_progress` by a previous process are ingested again. */
  resumeInterrupted(): void {
    for (const job of this.deps.store.listByStatus('in_progress'))
      this.enqueue(job.vectorStoreId, job.fileId);
  }

  idle(vectorStoreId?: string): Promise<void> {
    if (!this.isPending(vectorStoreId)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ vectorStoreId, resolve }));
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.jobs.length = 0;
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
    const { store, vectors, embedder } = this.deps;
    const file = store.getStoreFileDetails(vectorStoreId, fileId);
    if (!file || file.status !== 'in_progress') return;
    try {
      const bytes = await this.deps.readBytes(fileId).catch((error: unknown) => {
        throw new IngestionError('server_error', 'the stored file could not be read', { cause: error });
      });
      const text = await parseDocument(file.fileName, bytes);
      const chunks = prepareChunks(file.fileName, text, {
        maxTokens: file.chunking.maxChunkSizeTokens,
        overlapTokens: file.chunking.chunkOverlapTokens,
      });
      const embeddings = await embedder
        .embed(chunks.map((chunk) => chunk.embeddingText))
        .catch((error: unknown) => {
          throw new IngestionError(
            'server_error',
            'the embeddings endpoint failed; try adding the file again',
            { cause: error },
          );
        });
      store.completeIngestion(vectorStoreId, fileId, chunks, embeddings, embedder.model, newChunkId);
    } catch (error) {
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
