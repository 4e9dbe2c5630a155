import { fileURLToPath } from 'node:url';
import type { ChunkEmbedder, EmbeddableChunk } from '../embedder.js';
import { resolveModelFile, type ModelFileSource } from './model-file.js';
import { embeddingWorkerCount, embeddingWorkerNiceness, MinilmWorkerPool } from './minilm-worker-pool.js';
import { chunkSegments } from './chunk-segments.js';
import type { PassageInput } from './minilm-worker.js';

/**
 * Word pieces per vector. MiniLM reads 256 tokens; a chunk is ~900 word pieces, so one vector
 * per chunk sees only its first quarter. Windows of this size cover the whole chunk and a chunk
 * scores as its best window. Git docs, paraphrased questions, answer hit@5 at the best weights:
 * one vector per chunk 0.60, windows of 200 0.64, of 128 0.72 (scripts/bench/retrieval.ts).
 */
export const windowTokens = 128;
/** Word pieces of the document title and section path repeated in front of every window. */
export const contextTokens = 16;
/**
 * Vector list weight against keyword weight 1. The model's list is the better one on questions
 * asked in other words; keywords still place exact names (`--soft`, `git worktree`) first.
 * Git docs, answer hit@5 / MRR@10 on qa | paraphrases: 1:1 0.92/0.71 | 0.56/0.29; 1:2
 * 0.92/0.65 | 0.60/0.35; 1:4 0.96/0.71 | 0.72/0.41; 1:5 0.92/0.71 | 0.72/0.42.
 */
const vectorWeight = 4;

/**
 * all-MiniLM-L6-v2 in-process: resolves the verified model file, then embeds on a pool of worker
 * threads (minilm-worker-pool.ts) where questions go ahead of ingestion. Chunks are cut at every chunk boundary into disjoint segments so overlapping chunks
 * (800/400 by default) share the vectors of the text they share, embedding every word once.
 */
export async function createMinilmEmbedder(
  source: ModelFileSource,
  options: { intraOpThreads?: number; windowTokens?: number; workers?: number } = {},
): Promise<ChunkEmbedder> {
  const modelPath = await resolveModelFile(source);
  const window = options.windowTokens ?? windowTokens;
  const client = new MinilmWorkerPool(
    {
      modelPath,
      vocabularyPath: fileURLToPath(new URL('./vocab.txt', import.meta.url)),
      // One thread per worker by default (EMBEDDING_THREADS): with two on a busy 2-core machine
      // the same batch took 50% more CPU and longer wall time; cores are used by more workers.
      intraOpThreads: options.intraOpThreads ?? 1,
      niceness: embeddingWorkerNiceness,
    },
    embeddingWorkerCount(options.workers ?? 0),
  );
  await client.ready;
  /**
   * The document's title and lead as one more vector of every chunk: a question asked in other
   * words often matches what a document is about better than any of its passages (Git docs,
   * paraphrases: MRR@10 0.39 → 0.41, and the qa set 0.92/0.63 → 0.96/0.71 hit@5/MRR@10). Scaled
   * to 0.8 or 1.2 it did worse on both sets. A file's slices (ingestion-queue.ts) share its
   * summary, so it is embedded once, not once per slice.
   */
  const summaries = new Map<string, Promise<Float32Array | null>>();
  function summaryVector(summary: string | undefined): Promise<Float32Array | null> {
    if (!summary) return Promise.resolve(null);
    const known = summaries.get(summary);
    if (known) return known;
    const vector = client.embedQueries([summary], 'backlog').then(([first]) => first ?? null);
    // A failed one is asked again next time, not remembered.
    vector.catch(() => summaries.delete(summary)).catch(() => {});
    if (summaries.size >= 16) summaries.delete(summaries.keys().next().value ?? '');
    summaries.set(summary, vector);
    return vector;
  }
  /**
   * The segments of the last slices: a file's slices overlap by one segment (the text its
   * last chunk shares with the next slice's first), which is then embedded once, not twice.
   */
  const recentSegments = new Map<string, Promise<Float32Array[]>>();
  function segmentVectors(segments: readonly PassageInput[]): Promise<Float32Array[][]> {
    const keyOf = (segment: PassageInput) => `${segment.context}\u0000${segment.text}`;
    const missing = segments.filter((segment) => !recentSegments.has(keyOf(segment)));
    const embedded = client.embedPassages(missing, window, contextTokens, 'backlog');
    missing.forEach((segment, index) => {
      const vectors = embedded.then((all) => all[index] ?? []);
      vectors.catch(() => {}); // the caller's await below reports the failure
      recentSegments.set(keyOf(segment), vectors);
    });
    // A failed segment is embedded again next time, not remembered.
    embedded.catch(() => missing.forEach((segment) => recentSegments.delete(keyOf(segment))));
    const result = Promise.all(
      segments.map((segment) => recentSegments.get(keyOf(segment)) ?? Promise.resolve([])),
    );
    while (recentSegments.size > 64) recentSegments.delete(recentSegments.keys().next().value ?? '');
    return result;
  }
  return {
    // Window 0: one vector per chunk of its first 256 tokens (kept for the benchmark's comparison).
    model: window === 0 ? 'all-MiniLM-L6-v2-int8' : `all-MiniLM-L6-v2-int8/w${window}+summary`,
    isSemantic: true,
    vectorWeight,
    async embedQuery(text) {
      const [vector] = await client.embedQueries([text]);
      return vector ?? new Float32Array(0);
    },
    embedTexts: (texts) => client.embedQueries(texts),
    async embedChunks(chunks: readonly EmbeddableChunk[]) {
      if (window === 0)
        return client.embedQueries(
          chunks.map((chunk) => chunk.embeddingText),
          'backlog',
        );
      const { segments, chunkSegmentIndexes } = chunkSegments(chunks);
      // Both at once: the summary takes a free worker instead of waiting for the passages.
      const [vectors, summary] = await Promise.all([
        segmentVectors(segments),
        summaryVector(chunks[0]?.documentSummary),
      ]);
      return chunkSegmentIndexes.map((indexes) =>
        concatenate([...indexes.flatMap((index) => vectors[index] ?? []), ...(summary ? [summary] : [])]),
      );
    },
    close: () => client.close(),
  };
}

function concatenate(vectors: readonly Float32Array[]): Float32Array {
  const output = new Float32Array(vectors.reduce((sum, vector) => sum + vector.length, 0));
  let offset = 0;
  for (const vector of vectors) {
    output.set(vector, offset);
    offset += vector.length;
  }
  return output;
}
