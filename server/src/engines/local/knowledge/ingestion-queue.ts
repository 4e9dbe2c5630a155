import { randomBytes } from 'node:crypto';
import type { Embedder } from './embedder.js';
import type { KnowledgeStore } from './knowledge-store.js';
import { IngestionError, parseDocument } from './parse-document.js';
import { prepareChunks } from './prepare-chunks.js';
import type { VectorCache } from './vector-cache.js';

/** `reembed`: the file's chunks stay, their vectors are redone in the current model. */
type Job = { vectorStoreId: string; fileId: string; kind: 'ingest' | 'reembed' };
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

  enqueue(vectorStoreId: string, fileId: string, kind: Job['kind'] = 'ingest'): void {
    this.jobs.push({ vectorStoreId, fileId, kind });
    this.running ??= this.drain();
  }

  /**
   * Queues every completed file whose chunk vectors come from another model (the embedder was
   * changed), once the configured model is ready. Until its turn, search uses the file's
   * keywords only: vectors of another model are never compared with the query's.
   */
  async reembedStale(): Promise<void> {
    const embedder = await this.deps.embedder.ready.catch(() => null);
    if (!embedder || this.isStopped) return;
    for (const job of this.deps.store.listStaleEmbeddings(embedder.model))
      this.enqueue(job.vectorStoreId, job.fileId, 'reembed');
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
      await (job.kind === 'ingest' ? this.ingest(job) : this.reembed(job));
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

  private async reembed({ vectorStoreId, fileId }: Job): Promise<void> {
    const { store, vectors } = this.deps;
    const file = store.getStoreFileDetails(vectorStoreId, fileId);
    try {
      const embedder = await this.deps.embedder.ready;
      if (!file || file.status !== 'completed') return;
      const stored = store
        .listChunks(vectorStoreId, fileId)
        .filter((chunk) => chunk.model !== embedder.model);
      if (stored.length === 0) return;
      // Parsed and chunked again for the titles, sections and offsets the model's input needs;
      // the stored chunk texts must match, or the file is embedded from its stored text alone.
      const text = await parseDocument(file.fileName, await this.deps.readBytes(fileId));
      const prepared = prepareChunks(file.fileName, text, {
        maxTokens: file.chunking.maxChunkSizeTokens,
        overlapTokens: file.chunking.chunkOverlapTokens,
      });
      const isSame = stored.every((chunk) => prepared[chunk.ordinal]?.text === chunk.text);
      const inputs = isSame
        ? prepared
        : stored.map((chunk) => ({
            text: chunk.text,
            embeddingText: `${file.fileName}\n${chunk.text}`,
            embeddingContext: file.fileName,
            documentSummary: file.fileName,
            start: 0,
            end: chunk.text.length,
          }));
      const embeddings = isSame
        ? await embedder.embedChunks(inputs)
        : (await Promise.all(inputs.map((input) => embedder.embedChunks([input])))).flat();
      store.updateEmbeddings(
        stored.map((chunk, index) => ({
          rowid: chunk.rowid,
          embedding: embeddings[isSame ? chunk.ordinal : index] ?? new Float32Array(0),
        })),
        embedder.model,
      );
    } catch {
      // Left as it was: keyword search still finds the file, and the next start tries again.
    } finally {
      vectors.invalidate(vectorStoreId);
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
      const model = await embedder.ready.catch((error: unknown) => {
        throw new IngestionError('server_error', 'the embedding model could not be loaded', { cause: error });
      });
      const embeddings = await model.embedChunks(chunks).catch((error: unknown) => {
        throw new IngestionError(
          'server_error',
          'the embeddings endpoint failed; try adding the file again',
          {
            cause: error,
          },
        );
      });
      store.completeIngestion(vectorStoreId, fileId, chunks, embeddings, model.model, newChunkId);
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
