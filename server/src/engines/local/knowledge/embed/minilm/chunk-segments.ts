import type { EmbeddableChunk } from '../embedder.js';
import type { PassageInput } from './minilm-worker.js';

/**
 * Cuts a document's chunks at every chunk start and end into disjoint segments, each listed
 * once, and says which segments make up each chunk. Consecutive chunks overlap (by half, by
 * default), so embedding segments instead of chunks embeds every word once instead of twice.
 * Chunks must come from one document, in order, with offsets into the same text.
 */
export function chunkSegments(chunks: readonly EmbeddableChunk[]): {
  segments: PassageInput[];
  chunkSegmentIndexes: number[][];
} {
  const boundaries = [...new Set(chunks.flatMap((chunk) => [chunk.start, chunk.end]))].sort((a, b) => a - b);
  const segments: PassageInput[] = [];
  const chunkSegmentIndexes: number[][] = chunks.map(() => []);
  for (let index = 0; index + 1 < boundaries.length; index += 1) {
    const start = boundaries[index] ?? 0;
    const end = boundaries[index + 1] ?? start;
    const owners = chunks
      .map((chunk, chunkIndex) => ({ chunk, chunkIndex }))
      .filter(({ chunk }) => chunk.start <= start && chunk.end >= end);
    const first = owners[0];
    if (!first) continue; // a gap between chunks (blank text the chunker dropped)
    const text = first.chunk.text.slice(start - first.chunk.start, end - first.chunk.start);
    if (text.trim() === '') continue;
    for (const { chunkIndex } of owners) chunkSegmentIndexes[chunkIndex]?.push(segments.length);
    segments.push({ context: first.chunk.embeddingContext, text });
  }
  return { segments, chunkSegmentIndexes };
}
