import { z } from 'zod';
import { idSchema } from './chat.js';

const isoDate = z.iso.datetime({ offset: true });

export const threadSummarySchema = z.object({
  id: z.string(),
  title: z.string(),
  engine: z.string(),
  vectorStoreIds: z.array(z.string()),
  createdAt: isoDate,
  updatedAt: isoDate,
  messageCount: z.number().int().nonnegative(),
  lastMessagePreview: z.string(),
});
export type ThreadSummary = z.infer<typeof threadSummarySchema>;

export const threadListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
  q: z.string().max(200).optional(),
});
export type ThreadListQuery = z.infer<typeof threadListQuerySchema>;

export const threadListSchema = z.object({
  data: z.array(threadSummarySchema),
  nextCursor: z.string().nullable(),
});
export type ThreadList = z.infer<typeof threadListSchema>;

export const citationSchema = z.object({
  index: z.number().int().positive(),
  marker: z.string(),
  startIndex: z.number().int().nonnegative(),
  endIndex: z.number().int().nonnegative(),
  fileId: z.string(),
  fileName: z.string().nullable(),
  quote: z.string().nullable(),
});
export type Citation = z.infer<typeof citationSchema>;

export const transcriptRunStatusSchema = z.enum([
  'completed',
  'cancelled',
  'failed',
  'incomplete',
  'expired',
  'requires_action',
  'in_progress',
]);

export const transcriptMessageSchema = z.object({
  id: z.string(),
  threadId: z.string(),
  role: z.enum(['user', 'assistant']),
  text: z.string(),
  citations: z.array(citationSchema),
  runId: z.string().nullable(),
  runStatus: transcriptRunStatusSchema.nullable(),
  model: z.string().nullable(),
  usage: z
    .object({
      promptTokens: z.number().int().nonnegative(),
      completionTokens: z.number().int().nonnegative(),
      totalTokens: z.number().int().nonnegative(),
    })
    .nullable(),
  createdAt: isoDate,
  completedAt: isoDate.nullable(),
});
export type TranscriptMessage = z.infer<typeof transcriptMessageSchema>;

export const threadMessagesSchema = z.object({
  thread: threadSummarySchema,
  data: z.array(transcriptMessageSchema),
});

export const renameThreadRequestSchema = z.object({
  title: z
    .string()
    .max(200)
    .refine((text) => text.trim().length > 0, 'title must not be empty'),
});
export type RenameThreadRequest = z.infer<typeof renameThreadRequestSchema>;

export const threadParamsSchema = z.object({ id: idSchema });
