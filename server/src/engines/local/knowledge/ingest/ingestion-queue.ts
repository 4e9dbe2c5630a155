import { randomBytes } from 'node:crypto';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DocumentReader } from './document-reader.js';
import type { Embedder } from '../embed/embedder.js';
import type { KnowledgeStore } from '../knowledge-store.js';
import type { PreparedChunk } from './prepare-chunks.js';
import { localEmbeddingDimensions } from '../embed/local-embedding.js';
import { IngestionError } from './parse-document.js';
import type { VectorCache } from '../embed/vector-cache.js';
import { contentKey, fileSha256 } from './content-key.js';
import { analyseForIndex } from './prepare-chunks.js';

/** `reembed`: the file's chunks stay, their vectors are redone in the current model. */
type Job = { vectorStoreId: string; fileId: string; kind: 'ingest' | 'reembed'; isUrgent: boolean };
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
  /** Files read (parsed, chunked, embedded) and files filled from a copy with the same content key. */
  readonly counts = { read: 0, reused: 0 };

  constructor(
    private readonly deps: {
      store: KnowledgeStore;
      vectors: VectorCache;
      embedder: Embedder;
      reader: DocumentReader;
      filePath: (fileId: string) => string;
    },
  ) {}

  /**
   * Queues a file; an urgent one (a message's attachment, whose run waits for it) goes ahead of
   * every file that is not, after the urgent ones already waiting, so it is not stuck behind a
   * large batch.
   */
  enqueue(
    vectorStoreId: string,
    fileId: string,
    kind: Job['kind'] = 'ingest',
    options: { isUrgent?: boolean } = {},
  ): void {
    const job = { vectorStoreId, fileId, kind, isUrgent: options.isUrgent === true };
    const firstOrdinary = this.jobs.findIndex((queued) => !queued.isUrgent);
    if (job.isUrgent && firstOrdinary >= 0) this.jobs.splice(firstOrdinary, 0, job);
    else this.jobs.push(job);
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
      // Read and chunked again (in the reader's child) for the titles, sections and offsets the
      // model's input needs; the stored chunk texts must match, or the file is embedded from its
      // stored text alone.
      const prepared: PreparedChunk[] = [];
      const batches = this.deps.reader.read({
        path: this.deps.filePath(fileId),
        fileName: file.fileName,
        chunking: {
          maxTokens: file.chunking.maxChunkSizeTokens,
          overlapTokens: file.chunking.chunkOverlapTokens,
        },
        embedLocally: false,
      });
      for await (const batch of batches) prepared.push(...batch.chunks);
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
    const { store, vectors, reader } = this.deps;
    const file = store.getStoreFileDetails(vectorStoreId, fileId);
    if (!file || file.status !== 'in_progress') return;
    if (!store.startIngestion(vectorStoreId, fileId)) return;
    try {
      const model = await this.deps.embedder.ready.catch((error: unknown) => {
        throw new IngestionError('server_error', 'the embedding model could not be loaded', { cause: error });
      });
      const chunking = {
        maxTokens: file.chunking.maxChunkSizeTokens,
        overlapTokens: file.chunking.chunkOverlapTokens,
      };
      const key = contentKey({
        sha256: await fileSha256(this.deps.filePath(fileId)),
        fileName: file.fileName,
        ...chunking,
        model: model.model,
      });
      // Same bytes, same work: the sample documentation of every user after the first, a
      // re-upload, the same file in a second store are copied rather than read and embedded.
      const target = { vectorStoreId, fileId };
      const source = store.findReusable(key, model.model, target);
      if (
        source &&
        store.copyChunks(source, target, key, model.model, { newChunkId, analyseBody: analyseForIndex })
      ) {
        this.counts.reused += 1;
        return;
      }
      this.counts.read += 1;
      let firstOrdinal = 0;
      const batches = reader.read({
        path: this.deps.filePath(fileId),
        fileName: file.fileName,
        chunking,
        embedLocally: model.model === localEmbeddingModel,
      });
      for await (const { chunks, embeddings: computed } of batches) {
        if (this.isStopped) return;
        const embeddings =
          computed ??
          (await model.embedChunks(chunks).catch((error: unknown) => {
            throw new IngestionError(
              'server_error',
              'the embeddings endpoint failed; try adding the file again',
              { cause: error },
            );
          }));
        const slice = { chunks, embeddings, firstOrdinal };
        if (!store.appendChunks(vectorStoreId, fileId, slice, model.model, newChunkId)) return;
        firstOrdinal += chunks.length;
        // Requests and streams get the event loop between slices.
        await nextTurn();
      }
      if (!this.isStopped) store.finishIngestion(vectorStoreId, fileId, key);
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
