import { z } from 'zod';

export const fileStatusSchema = z.enum(['in_progress', 'completed', 'failed', 'cancelled']);
export type FileStatus = z.infer<typeof fileStatusSchema>;

export const fileCountsSchema = z.object({
  in_progress: z.number().int().nonnegative(),
  completed: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  cancelled: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
});

/**
 * How far the meaning index (vectors in the current embedding model) has got: a file is
 * searchable by its keywords as soon as it is `completed`; its vectors follow in the background,
 * and search uses them as they arrive. Absent where the engine cannot tell (upstream engines).
 */
export const meaningIndexSchema = z.object({
  embeddedChunks: z.number().int().nonnegative(),
  totalChunks: z.number().int().nonnegative(),
});
export type MeaningIndex = z.infer<typeof meaningIndexSchema>;
/** The share of chunks with vectors, 0–1; 1 when there is nothing to embed. */
export const meaningIndexShare = (index: MeaningIndex) =>
  index.totalChunks === 0 ? 1 : Math.min(1, index.embeddedChunks / index.totalChunks);

export const vectorStoreSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  fileCounts: fileCountsSchema,
  usageBytes: z.number().int().nonnegative(),
  meaningIndex: meaningIndexSchema.optional(),
});
export type VectorStoreSummary = z.infer<typeof vectorStoreSummarySchema>;

export const vectorStoreListSchema = z.object({ data: z.array(vectorStoreSummarySchema) });

export const createVectorStoreRequestSchema = z.object({
  name: z
    .string()
    .max(256)
    .refine((text) => text.trim().length > 0, 'name must not be empty'),
});

export const knowledgeFileSchema = z.object({
  id: z.string(),
  vectorStoreId: z.string(),
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  status: fileStatusSchema,
  lastError: z.object({ code: z.string(), message: z.string() }).nullable(),
  chunkCount: z.number().int().nonnegative(),
  createdAt: z.iso.datetime({ offset: true }),
  meaningIndex: meaningIndexSchema.optional(),
});
export type KnowledgeFile = z.infer<typeof knowledgeFileSchema>;
export const knowledgeFileListSchema = z.object({ data: z.array(knowledgeFileSchema) });

export const searchRequestSchema = z.object({
  query: z
    .string()
    .max(4096)
    .refine((text) => text.trim().length > 0, 'query must not be empty'),
  maxNumResults: z.number().int().min(1).max(50).default(10),
  scoreThreshold: z.number().min(0).max(1).optional(),
});
export type SearchRequest = z.infer<typeof searchRequestSchema>;

export const searchHitSchema = z.object({
  fileId: z.string(),
  fileName: z.string(),
  chunkId: z.string(),
  score: z.number(),
  text: z.string(),
  keywordRank: z.number().int().positive().nullable(),
  vectorRank: z.number().int().positive().nullable(),
});
export type SearchHit = z.infer<typeof searchHitSchema>;
export const searchResponseSchema = z.object({ data: z.array(searchHitSchema), tookMs: z.number() });

/** File types the knowledge base accepts, by extension. */
export const acceptedFileExtensions = ['.md', '.markdown', '.txt', '.html', '.htm', '.pdf', '.docx'] as const;

export const knowledgeFileInfoSchema = z.object({
  id: z.string(),
  fileName: z.string(),
  bytes: z.number().int().nonnegative(),
  createdAt: z.iso.datetime({ offset: true }),
});
export type KnowledgeFileInfo = z.infer<typeof knowledgeFileInfoSchema>;

/**
 * The name of the store made from Threadline's own documentation (the sample knowledge base): not
 * the product's name, which the web app shows for the backend beside it.
 */
export const sampleKnowledgeBaseName = 'User guide (sample)';
/** What the sample was called before; stores made then keep the name and are still the sample. */
const earlierSampleKnowledgeBaseNames: readonly string[] = ['Threadline documentation'];
export const isSampleKnowledgeBaseName = (name: string) =>
  name === sampleKnowledgeBaseName || earlierSampleKnowledgeBaseNames.includes(name);

export const sampleKnowledgeBaseSchema = z.object({
  vectorStore: vectorStoreSummarySchema,
  files: z.array(knowledgeFileSchema),
});
export type SampleKnowledgeBase = z.infer<typeof sampleKnowledgeBaseSchema>;

/** The vector stores a conversation searches when it names none: the user's default. */
export const defaultKnowledgeBaseSchema = z.object({ vectorStores: z.array(vectorStoreSummarySchema) });
export type DefaultKnowledgeBase = z.infer<typeof defaultKnowledgeBaseSchema>;
export const setDefaultKnowledgeBaseRequestSchema = z.object({
  vectorStoreIds: z
    .array(
      z
        .string()
        .min(1)
        .max(128)
        .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, "_" and "-"'),
    )
    .max(16),
});
export type SetDefaultKnowledgeBaseRequest = z.infer<typeof setDefaultKnowledgeBaseRequestSchema>;

/** What a client checks before uploading, so a too-large file is refused before it is sent. */
export const knowledgeLimitsSchema = z.object({
  maxUploadBytes: z.number().int().positive(),
  acceptedFileExtensions: z.array(z.string()),
});
export type KnowledgeLimits = z.infer<typeof knowledgeLimitsSchema>;

/** Where a cited passage sits in its file: the page of a PDF, null for files without pages. */
export const filePageRequestSchema = z.object({ quote: z.string().min(1).max(4096) });
export const filePageSchema = z.object({ page: z.number().int().positive().nullable() });
export type FilePage = z.infer<typeof filePageSchema>;

/** The legacy quickstart's answers: `{ assistantId }`, `{ threadId }` and its file list entries. */
export const legacyAssistantCreatedSchema = z.object({ assistantId: z.string() });
export const legacyThreadCreatedSchema = z.object({ threadId: z.string() });
export const legacyFileSchema = z.object({ file_id: z.string(), filename: z.string(), status: z.string() });
export const legacyFileListSchema = z.array(legacyFileSchema);
