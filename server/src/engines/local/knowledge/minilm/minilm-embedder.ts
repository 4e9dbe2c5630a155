import { fileURLToPath } from 'node:url';
import type { ChunkEmbedder, EmbeddableChunk } from '../embedder.js';
import { resolveModelFile, type ModelFileSource } from './model-file.js';
import { MinilmWorkerClient } from './minilm-worker-client.js';
import { chunkSegments } from './chunk-segments.js';

/**
 * Word pieces per vector. MiniLM reads 256 tokens; a chunk is ~900 word pieces, so one vector
 * per chunk sees only its first quarter. Windows of this size cover the whole chunk, and a
 * chunk scores as its best window (measured on the Git docs, see scripts/bench/retrieval.ts).
 */
export const windowTokens = 200;
/** Word pieces of the document title and section path repeated in front of every window. */
export const contextTokens = 16;

/**
 * all-MiniLM-L6-v2 in-process: resolves the verified model file, then embeds in one worker
 * thread. Chunks are cut at every chunk boundary into disjoint segments so overlapping chunks
 * (800/400 by default) share the vectors of the text they share, embedding every word once.
 */
export async function createMinilmEmbedder(
  source: ModelFileSource,
  options: { intraOpThreads?: number; windowTokens?: number } = {},
): Promise<ChunkEmbedder> {
  const modelPath = await resolveModelFile(source);
  const window = options.windowTokens ?? windowTokens;
  const client = new MinilmWorkerClient({
    modelPath,
    vocabularyPath: fileURLToPath(new URL('./vocab.txt', import.meta.url)),
    intraOpThreads: options.intraOpThreads ?? 1,
  });
  await client.ready;
  return {
    // Window 0: one vector per chunk of its first 256 tokens (kept for the benchmark's comparison).
    model: window === 0 ? 'all-MiniLM-L6-v2-int8' : `all-MiniLM-L6-v2-int8/w${window}`,
    isSemantic: true,
    async embedQuery(text) {
      const [vector] = await client.embedQueries([text]);
      return vector ?? new Float32Array(0);
    },
    embedTexts: (texts) => client.embedQueries(texts),
    async embedChunks(chunks: readonly EmbeddableChunk[]) {
      if (window === 0) return client.embedQueries(chunks.map((chunk) => chunk.embeddingText));
      const { segments, chunkSegmentIndexes } = chunkSegments(chunks);
      const vectors = await client.embedPassages(segments, window, contextTokens);
      return chunkSegmentIndexes.map((indexes) =>
        concatenate(indexes.flatMap((index) => vectors[index] ?? [])),
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
