import { z } from 'zod';
import { fileCountsSchema, fileStatusSchema } from '../api/knowledge.js';
import { v1ChunkingStrategyRequestSchema } from './v1-chunking.js';
import { v1IdSchema, v1MetadataSchema } from './v1-requests.js';

/** OpenAI's Files and Vector Stores wire shapes, as Threadline serves them under /v1. */

export const v1FilePurposes = ['assistants', 'user_data'] as const;

export const v1FileObjectSchema = z.object({
  id: z.string(),
  object: z.literal('file'),
  bytes: z.number().int().nonnegative(),
  created_at: z.number().int(),
  filename: z.string(),
  purpose: z.string(),
  status: z.enum(['uploaded', 'processed', 'error']),
  status_details: z.string().nullable(),
  expires_at: z.number().int().nullable(),
});
export type V1FileObject = z.infer<typeof v1FileObjectSchema>;

export const v1DeletedSchema = z.object({ id: z.string(), object: z.string(), deleted: z.boolean() });

export const v1ChunkingStrategySchema = z.object({
  type: z.literal('static'),
  static: z.object({ max_chunk_size_tokens: z.number().int(), chunk_overlap_tokens: z.number().int() }),
});

export const v1ExpiresAfterSchema = z
  .object({ anchor: z.literal('last_active_at'), days: z.number().int().min(1).max(365) })
  .nullable();

export const v1VectorStoreSchema = z.object({
  id: z.string(),
  object: z.literal('vector_store'),
  created_at: z.number().int(),
  name: z.string(),
  usage_bytes: z.number().int().nonnegative(),
  file_counts: fileCountsSchema,
  status: z.enum(['expired', 'in_progress', 'completed']),
  expires_after: v1ExpiresAfterSchema,
  expires_at: z.number().int().nullable(),
  last_active_at: z.number().int().nullable(),
  metadata: z.record(z.string(), z.string()),
});
export type V1VectorStore = z.infer<typeof v1VectorStoreSchema>;

export const v1CreateVectorStoreSchema = z.strictObject({
  name: z.string().max(256).optional(),
  description: z.string().max(512).optional(),
  file_ids: z.array(v1IdSchema).max(500).optional(),
  chunking_strategy: v1ChunkingStrategyRequestSchema.optional(),
  expires_after: v1ExpiresAfterSchema.optional(),
  metadata: v1MetadataSchema.optional(),
});

export const v1UpdateVectorStoreSchema = z.strictObject({
  name: z.string().max(256).nullable().optional(),
  expires_after: v1ExpiresAfterSchema.optional(),
  metadata: v1MetadataSchema.optional(),
});

export const v1VectorStoreFileSchema = z.object({
  id: z.string(),
  object: z.literal('vector_store.file'),
  usage_bytes: z.number().int().nonnegative(),
  created_at: z.number().int(),
  vector_store_id: z.string(),
  status: fileStatusSchema,
  last_error: z.object({ code: z.string(), message: z.string() }).nullable(),
  chunking_strategy: v1ChunkingStrategySchema,
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type V1VectorStoreFile = z.infer<typeof v1VectorStoreFileSchema>;

export const v1CreateVectorStoreFileSchema = z.strictObject({
  file_id: v1IdSchema,
  chunking_strategy: v1ChunkingStrategyRequestSchema.optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});

const attributesSchema = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]));
/** `file_ids` (one chunking and attributes for all) or `files` (each its own), not both. */
export const v1CreateFileBatchSchema = z
  .strictObject({
    file_ids: z.array(v1IdSchema).min(1).max(500).optional(),
    files: z
      .array(
        z.object({
          file_id: v1IdSchema,
          chunking_strategy: v1ChunkingStrategyRequestSchema.optional(),
          attributes: attributesSchema.nullable().optional(),
        }),
      )
      .min(1)
      .max(500)
      .optional(),
    chunking_strategy: v1ChunkingStrategyRequestSchema.optional(),
    attributes: attributesSchema.nullable().optional(),
  })
  .refine((body) => (body.file_ids === undefined) !== (body.files === undefined), {
    message: "Give exactly one of 'file_ids' and 'files'.",
    path: ['file_ids'],
  });

export const v1FileBatchSchema = z.object({
  id: z.string(),
  object: z.literal('vector_store.files_batch'),
  created_at: z.number().int(),
  vector_store_id: z.string(),
  status: fileStatusSchema,
  file_counts: fileCountsSchema,
});
export type V1FileBatch = z.infer<typeof v1FileBatchSchema>;

export const v1VectorStoreSearchSchema = z.strictObject({
  query: z.union([z.string().min(1).max(4096), z.array(z.string().min(1).max(4096)).min(1).max(10)]),
  max_num_results: z.number().int().min(1).max(50).optional(),
  ranking_options: z
    .object({
      ranker: z.string().optional(),
      score_threshold: z.number().min(0).max(1).optional(),
    })
    .optional(),
  rewrite_query: z.boolean().optional(),
  filters: z.unknown().optional(),
});

export const v1VectorStoreSearchResultsSchema = z.object({
  object: z.literal('vector_store.search_results.page'),
  search_query: z.array(z.string()),
  data: z.array(
    z.object({
      file_id: z.string(),
      filename: z.string(),
      score: z.number(),
      attributes: z.record(z.string(), z.unknown()),
      content: z.array(z.object({ type: z.literal('text'), text: z.string() })),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullable(),
});

export const v1FileListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(10_000).default(10_000),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: v1IdSchema.optional(),
  purpose: z.string().optional(),
});

export const v1VectorStoreFileListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: v1IdSchema.optional(),
  before: v1IdSchema.optional(),
  filter: fileStatusSchema.optional(),
});
