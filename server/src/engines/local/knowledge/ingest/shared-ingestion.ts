import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import { scopedDatabase } from '../../../../postgres/index.js';
import type { ChunkEmbedder, Embedder } from '../embed/embedder.js';
import type { IngestionJob, PostgresKnowledge } from '../postgres-knowledge.js';
import type { DocumentReader } from './document-reader.js';
import { localEmbeddingModel, maxIngestionAttempts, sliceChunks } from './ingestion-queue.js';
import { IngestionError } from './parse-document.js';
import type { PreparedChunk } from './prepare-chunks.js';

export type SharedIngestionOptions = {
  knowledge: PostgresKnowledge;
  pool: pg.Pool;
  embedder: Embedder;
  reader: DocumentReader;
  /** Where a claimed file's bytes are written for the reader (it reads a path). */
  workDir: string;
  /** How long a claimed job is this instance's without renewal (renewed every third of it). */
  leaseMs?: number;
  /** How often an idle worker looks for jobs another instance queued. */
  pollMs?: number;
};

/**
 * This instance's share of the ingestion queue in PostgreSQL: it claims the oldest job nobody
 * holds (`FOR UPDATE SKIP LOCKED`), reads, chunks and embeds the file with its own model copy,
 * and commits chunks, vectors and the file's `completed` status in one transaction
 * (PostgresKnowledge.completeJob). Every instance runs one, so a batch is shared by all of them; a
 * job whose instance died is taken again once its lease lapses. One job at a time, as the
 * embedded queue reads one file at a time.
 */
export class SharedIngestion {
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  /** Jobs this instance claimed from the shared queue since it started. */
  jobsTaken = 0;
  private isStopped = false;
  private wake: (() => void) | null = null;
  private readonly loop: Promise<void>;

  constructor(private readonly options: SharedIngestionOptions) {
    mkdirSync(options.workDir, { recursive: true });
    this.loop = this.run();
  }

  /** A job was queued here: look now rather than at the next poll. */
  kick(): void {
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.isStopped = true;
    this.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const pollMs = this.options.pollMs ?? 200;
    while (!this.isStopped) {
      let job: IngestionJob | null = null;
      try {
        job = await this.options.knowledge.claimJob(this.workerId, this.leaseMs);
      } catch {
        // The database is away for a moment: try again at the next poll.
      }
      if (job) {
        this.jobsTaken += 1;
        await this.ingest(job);
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
  }

  private get leaseMs(): number {
    return this.options.leaseMs ?? 60_000;
  }

  private async ingest(job: IngestionJob): Promise<void> {
    const { knowledge, pool } = this.options;
    const renewal = setInterval(() => {
      void knowledge.renewJob(job, this.leaseMs).catch(() => {});
    }, this.leaseMs / 3);
    const path = join(this.options.workDir, `${job.fileId}-${randomBytes(4).toString('hex')}`);
    try {
      const details = await scopedDatabase(pool, () => ({ owner: job.owner })).query<{
        attempts: number;
        chunk_size: number | null;
        chunk_overlap: number | null;
      }>(
        'SELECT attempts, chunk_size, chunk_overlap FROM kb_store_files WHERE vector_store_id = $1 AND file_id = $2',
        [job.vectorStoreId, job.fileId],
      );
      const row = details.rows[0];
      if (!row) return;
      if (row.attempts > maxIngestionAttempts)
        throw new IngestionError('server_error', 'the file stopped its ingestion too often and was given up');
      const model = await this.options.embedder.ready.catch((error: unknown) => {
        throw new IngestionError('server_error', 'the embedding model could not be loaded', { cause: error });
      });
      await writeFile(path, job.content);
      const chunks: PreparedChunk[] = [];
      const inChild: Float32Array[] = [];
      for await (const batch of this.options.reader.read({
        path,
        fileName: job.fileName,
        chunking: {
          maxTokens: row.chunk_size ?? job.chunkSize,
          overlapTokens: row.chunk_overlap ?? job.chunkOverlap,
        },
        embedLocally: model.model === localEmbeddingModel,
      })) {
        chunks.push(...batch.chunks);
        if (batch.embeddings) inChild.push(...batch.embeddings);
        if (this.isStopped) return;
      }
      // Every vector before the commit: the file is `completed` and searchable by meaning at
      // once on every instance (the embedded queue commits keywords first, vectors after).
      const embeddings =
        inChild.length === chunks.length
          ? inChild
          : await embedAsTheEmbeddedLaneDoes(model, chunks).catch((error: unknown) => {
              throw new IngestionError(
                'server_error',
                'the embeddings endpoint failed; try adding the file again',
                {
                  cause: error,
                },
              );
            });
      await knowledge.completeJob(job, chunks, embeddings, model.model);
    } catch (error) {
      // Stopping: the job stays queued and its lease lapses for another instance to take.
      if (this.isStopped) return;
      const failure =
        error instanceof IngestionError
          ? { code: error.code, message: error.message }
          : { code: 'server_error', message: 'the file could not be processed' };
      await knowledge.failJob(job, failure.message, failure.code).catch(() => {});
    } finally {
      clearInterval(renewal);
      await rm(path, { force: true });
    }
  }
}

/**
 * A file's vectors cut as the embedded queue's vector lane cuts them: the in-process model in
 * slices of `sliceChunks` chunks, an endpoint's at once. The model embeds the disjoint segments
 * between the chunk boundaries of what it is given (chunk-segments.ts), so the chunks at a
 * slice's edge get fewer, longer windows than the same chunks embedded with their neighbours:
 * embedded whole, a file's vectors differed from SQLite's for every 32nd chunk (own-files
 * held-out: "turn off host key checking" ranked ssh_config's answer 5th by meaning, not 1st).
 */
async function embedAsTheEmbeddedLaneDoes(
  model: ChunkEmbedder,
  chunks: readonly PreparedChunk[],
): Promise<Float32Array[]> {
  if (model.isRemote === true || chunks.length <= sliceChunks) return model.embedChunks(chunks);
  const slices: PreparedChunk[][] = [];
  for (let from = 0; from < chunks.length; from += sliceChunks)
    slices.push(chunks.slice(from, from + sliceChunks));
  return (await Promise.all(slices.map((slice) => model.embedChunks(slice)))).flat();
}
