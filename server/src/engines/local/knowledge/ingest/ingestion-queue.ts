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
import { FairQueue } from './fair-queue.js';

/** `reembed`: the file's chunks stay, their vectors are redone in the current model. */
type Job = { vectorStoreId: string; fileId: string; kind: 'ingest' | 'reembed'; isUrgent: boolean };
/**
 * Vectors still to compute for a completed file, from the chunks its ingestion prepared (held
 * so they are not read again), `sliceChunks` at a time from `next`.
 */
type EmbedJob = {
  vectorStoreId: string;
  fileId: string;
  kind: 'embed';
  chunks: PreparedChunk[];
  next: number;
};
/**
 * What a waiter waits for: `attachments`, the urgent files (a message's attachments);
 * `searchable`, every file still to ingest (keyword search works after); `all`, vectors too.
 */
type Lane = 'attachments' | 'searchable' | 'all';
type Waiter = { vectorStoreId: string | undefined; lane: Lane; resolve: () => void };

/**
 * Chunks embedded per turn of the vector lane: ~33 one-passage pieces for the worker pool
 * (minilm-worker-pool.ts), so its workers stay busy through a slice and idle only for its last
 * piece and the write; a MiniLM slice is ~1–2 s of one core.
 */
export const sliceChunks = 32;
/**
 * Chunks of the vector lane in flight at once: two full slices. With one slice, the pool's
 * workers idled at the end of every slice (waiting for its last piece, then the write and the
 * next slice's read); with two the next slice's pieces are queued while the current one
 * finishes. Counted in chunks, not slices: a small file's slice is one or two chunks, and two
 * such slices in flight left a worker waiting on the event loop after each (the 3 MB set of 297
 * READMEs is mostly one-chunk files), so slices of small files go out until two slices' worth
 * of chunks are in flight.
 */
const chunksInFlight = 2 * sliceChunks;
/** The chunk rows' model while their vectors are pending (never a model name). */
export const pendingEmbeddingModel = '';

/** The model-free embedding's name (embedder.ts): the document reader's child computes it. */
export const localEmbeddingModel = `local-hash-${localEmbeddingDimensions}`;

/** Ingestions a file may start before one that keeps being interrupted is marked failed. */
export const maxIngestionAttempts = 3;

/**
 * Ingests attached files in the background, in two lanes that run at the same time. The file
 * lane reads one file at a time: parsing and chunking happen in the document reader's child
 * process (bounded in memory and time), and this process keyword-indexes the chunks a slice at a
 * time, one event-loop turn each, so a 50 MB file never holds up requests; then the file is
 * `completed`. The vector lane computes the in-process model's vectors of completed files, a
 * slice at a time, on the model's worker threads (which run at a lower priority than this
 * process), so files become searchable at the reader's speed while vectors follow at the model's.
 * Every job ends with the pair `completed` or `failed`, except one cut short by shutdown, which
 * stays `in_progress` and is resumed on the next start, at most `maxIngestionAttempts` times.
 */
export class IngestionQueue {
  /** A message's attachments, first come first served, ahead of every other file. */
  private readonly urgentJobs: Job[] = [];
  /** Files to read or re-embed, taken in turn from each store (a batch does not hold up others). */
  private readonly jobs = new FairQueue<Job>();
  /** Vectors of completed files, also in turn per store, after every file still to read. */
  private readonly embedJobs = new FairQueue<EmbedJob>();
  private currentJob: Job | null = null;
  /** The jobs whose slices are being embedded (one job may have two slices in flight). */
  private readonly currentEmbeds = new Set<EmbedJob>();
  private reading: Promise<void> | null = null;
  /** Slices in flight per job. */
  private readonly slicesOf = new Map<EmbedJob, number>();
  private embedding: Promise<void> | null = null;
  /** Wakes the vector lane waiting on its slices in flight: another file's vectors were queued. */
  private wakeEmbeds: (() => void) | null = null;
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
   * large batch. Other files are taken round-robin across stores: a small file added to one store
   * while a large batch loads into another is read after the batch's current file, not its last.
   */
  enqueue(
    vectorStoreId: string,
    fileId: string,
    kind: Job['kind'] = 'ingest',
    options: { isUrgent?: boolean } = {},
  ): void {
    const job = { vectorStoreId, fileId, kind, isUrgent: options.isUrgent === true };
    if (job.isUrgent) this.urgentJobs.push(job);
    else this.jobs.push(vectorStoreId, job);
    this.reading ??= this.drainJobs();
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

  /** Resolves when the store has nothing left in `lane` (see Lane). */
  idle(vectorStoreId?: string, lane: Lane = 'all'): Promise<void> {
    if (!this.isPending(vectorStoreId, lane)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ vectorStoreId, lane, resolve }));
  }

  /** Stops after the current slice; the file being ingested stays `in_progress` for the next start. */
  async stop(): Promise<void> {
    this.isStopped = true;
    this.urgentJobs.length = 0;
    this.jobs.clear();
    this.embedJobs.clear();
    await this.deps.reader.close();
    await Promise.all([this.reading, this.embedding]);
  }

  private isPending(vectorStoreId: string | undefined, lane: Lane): boolean {
    const matches = (job: Job | EmbedJob | null) =>
      job !== null &&
      (lane === 'all' || job.kind !== 'embed') &&
      (lane !== 'attachments' || (job.kind === 'ingest' && job.isUrgent)) &&
      (vectorStoreId === undefined || job.vectorStoreId === vectorStoreId);
    return (
      matches(this.currentJob) ||
      [...this.currentEmbeds].some(matches) ||
      this.urgentJobs.some(matches) ||
      this.jobs.some(matches) ||
      (lane === 'all' && this.embedJobs.some(matches))
    );
  }

  private async drainJobs(): Promise<void> {
    while (!this.isStopped) {
      const job = this.urgentJobs.shift() ?? this.jobs.shift();
      if (!job) break;
      this.currentJob = job;
      await (job.kind === 'ingest' ? this.ingest(job) : this.reembed(job));
      this.currentJob = null;
      this.wakeWaiters();
    }
    this.reading = null;
    this.currentJob = null;
    this.wakeWaiters();
  }

  private async drainEmbeds(): Promise<void> {
    const inFlight = new Set<Promise<void>>();
    let chunksOut = 0;
    while (!this.isStopped) {
      const job = chunksOut < chunksInFlight ? this.embedJobs.shift() : undefined;
      if (job) {
        // The slice's range is claimed now, and the job goes back to the front of its store's
        // turn at once, so the next slice (of this file or another) starts while this one runs.
        const from = job.next;
        job.next = Math.min(from + sliceChunks, job.chunks.length);
        const size = job.next - from;
        chunksOut += size;
        if (job.next < job.chunks.length) this.embedJobs.unshift(job.vectorStoreId, job);
        const slices = (this.slicesOf.get(job) ?? 0) + 1;
        this.slicesOf.set(job, slices);
        this.currentEmbeds.add(job);
        const slice: Promise<void> = this.embedSlice(job, from, job.next).finally(() => {
          inFlight.delete(slice);
          chunksOut -= size;
          const left = (this.slicesOf.get(job) ?? 1) - 1;
          if (left > 0) this.slicesOf.set(job, left);
          else {
            this.slicesOf.delete(job);
            this.currentEmbeds.delete(job);
          }
          this.wakeWaiters();
        });
        inFlight.add(slice);
        continue;
      }
      if (inFlight.size === 0) break;
      // A slice finishing, or a file completed meanwhile (its slice may go out now, beside the
      // ones in flight, rather than after them).
      await Promise.race([
        ...inFlight,
        new Promise<void>((resolve) => {
          this.wakeEmbeds = resolve;
        }),
      ]);
      this.wakeEmbeds = null;
      // Requests and streams get the event loop between slices.
      await nextTurn();
    }
    await Promise.all(inFlight);
    this.embedding = null;
    this.currentEmbeds.clear();
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    for (let index = this.waiters.length - 1; index >= 0; index -= 1) {
      const waiter = this.waiters[index];
      if (waiter && (this.isStopped || !this.isPending(waiter.vectorStoreId, waiter.lane))) {
        this.waiters.splice(index, 1);
        waiter.resolve();
      }
    }
  }

  /**
   * One slice of a completed file's pending vectors; the rest goes back to the front of its
   * store's vector lane, so the vectors of other stores' files take their turns between slices. A failure
   * leaves the rows pending (keyword search still finds them); the next start re-embeds them.
   */
  private async embedSlice(job: EmbedJob, from: number, to: number): Promise<void> {
    const { store, vectors } = this.deps;
    try {
      const model = await this.deps.embedder.ready;
      const rows = store.listChunksInRange(job.vectorStoreId, job.fileId, {
        from,
        to,
        model: pendingEmbeddingModel,
      });
      // The rows must still be the chunks this job holds (not detached, nor re-chunked since).
      const slice = rows.flatMap((row) => {
        const chunk = job.chunks[row.ordinal];
        return chunk && chunk.text === row.text ? [{ chunk, row }] : [];
      });
      const embeddings = slice.length === 0 ? [] : await model.embedChunks(slice.map((entry) => entry.chunk));
      if (this.isStopped) return;
      const written = slice.map((entry, index) => ({
        rowid: entry.row.rowid,
        embedding: embeddings[index] ?? new Float32Array(0),
      }));
      // The rows may have changed while the model ran (the file detached or re-chunked): only
      // rows still pending are written, and only those are added to the loaded store.
      const current = new Set(
        store
          .listChunksInRange(job.vectorStoreId, job.fileId, { from, to, model: pendingEmbeddingModel })
          .map((row) => row.rowid),
      );
      const kept = written.filter((row) => current.has(row.rowid));
      store.updateEmbeddings(kept, model.model);
      // Added to the store's loaded vectors rather than dropping them all (see VectorCache.append).
      vectors.append(job.vectorStoreId, model.model, kept);
    } catch {
      // Left pending: listStaleEmbeddings finds the rows at the next start.
      vectors.invalidate(job.vectorStoreId);
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
      // Searchable first: chunks are keyword-indexed as they come; the in-process model's
      // vectors are computed after, in the background lane, and search uses them as they
      // arrive (hashed ones come from the reader's child, an endpoint's at once: see
      // ChunkEmbedder.isRemote). Until then the rows' model is pending.
      const deferred: PreparedChunk[] = [];
      for await (const { chunks, embeddings: inChild } of batches) {
        if (this.isStopped) return;
        const computed =
          inChild ??
          (model.isRemote === true
            ? await model.embedChunks(chunks).catch((error: unknown) => {
                throw new IngestionError(
                  'server_error',
                  'the embeddings endpoint failed; try adding the file again',
                  { cause: error },
                );
              })
            : undefined);
        const slice = { chunks, embeddings: computed ?? [], firstOrdinal };
        const sliceModel = computed ? model.model : pendingEmbeddingModel;
        if (!store.appendChunks(vectorStoreId, fileId, slice, sliceModel, newChunkId)) return;
        if (!computed) deferred.push(...chunks);
        firstOrdinal += chunks.length;
        // Requests and streams get the event loop between slices.
        await nextTurn();
      }
      if (this.isStopped) return;
      // Reusable (content key) only once every vector is in: a pending row never matches.
      store.finishIngestion(vectorStoreId, fileId, key);
      if (deferred.length > 0) {
        this.embedJobs.push(vectorStoreId, {
          vectorStoreId,
          fileId,
          kind: 'embed',
          chunks: deferred,
          next: 0,
        });
        this.wakeEmbeds?.();
        this.embedding ??= this.drainEmbeds();
      }
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
