import { z } from 'zod';

/** How a request asks for files to be chunked: `auto` (800/400 tokens) or `static` sizes. */
export const v1StaticChunkingSchema = z
  .object({
    max_chunk_size_tokens: z.number().int().min(100).max(4096),
    chunk_overlap_tokens: z.number().int().min(0),
  })
  .refine((value) => value.chunk_overlap_tokens * 2 <= value.max_chunk_size_tokens, {
    message: 'chunk_overlap_tokens must not exceed half of max_chunk_size_tokens',
    path: ['chunk_overlap_tokens'],
  });

export const v1ChunkingStrategyRequestSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auto') }),
  z.object({ type: z.literal('static'), static: v1StaticChunkingSchema }),
]);
