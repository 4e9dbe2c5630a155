import { z } from 'zod';
import { maxMessageCharacters } from '../api/chat.js';
import { toolSchema } from '../assistants/objects.js';
import { v1ChunkingStrategyRequestSchema } from './v1-chunking.js';

/**
 * Request shapes of the OpenAI Assistants (v2) wire API that Threadline serves under /v1. Bodies
 * are strict at the top level, as OpenAI's are ("Unrecognized request argument supplied"), and
 * list every parameter OpenAI documents for the endpoint, used or not: being stricter than
 * OpenAI breaks clients.
 */

export const v1IdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, "_" and "-"');

export const v1MetadataSchema = z
  .record(z.string().max(64), z.string().max(512))
  .refine((metadata) => Object.keys(metadata).length <= 16, 'metadata has at most 16 keys')
  .nullable();

export const v1ListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: v1IdSchema.optional(),
  before: v1IdSchema.optional(),
});
export type V1ListQuery = z.infer<typeof v1ListQuerySchema>;

const textPartSchema = z.object({ type: z.literal('text'), text: z.string().max(maxMessageCharacters) });
export const v1MessageContentSchema = z.union([
  z.string().min(1, 'content must not be empty').max(maxMessageCharacters),
  z.array(z.union([textPartSchema, z.object({ type: z.enum(['image_file', 'image_url']) }).loose()])).min(1),
]);

export const v1CreateMessageSchema = z.strictObject({
  role: z.enum(['user', 'assistant']),
  content: v1MessageContentSchema,
  attachments: z
    .array(z.object({ file_id: z.string(), tools: z.array(z.object({ type: z.string() })).optional() }))
    .nullable()
    .optional(),
  metadata: v1MetadataSchema.optional(),
});
export type V1CreateMessage = z.infer<typeof v1CreateMessageSchema>;

const vectorStoreIdsSchema = z.array(v1IdSchema).max(16);
export const v1ToolResourcesSchema = z
  .object({
    file_search: z
      .object({
        vector_store_ids: vectorStoreIdsSchema.optional(),
        /** The helper that creates a store from files (at most one, as OpenAI allows). */
        vector_stores: z
          .array(
            z.object({
              file_ids: z.array(v1IdSchema).max(10_000).optional(),
              chunking_strategy: v1ChunkingStrategyRequestSchema.optional(),
              metadata: v1MetadataSchema.optional(),
            }),
          )
          .max(1)
          .optional(),
      })
      .optional(),
    code_interpreter: z.object({ file_ids: z.array(z.string()).optional() }).optional(),
  })
  .nullable();

const samplingSchema = {
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  response_format: z.unknown().optional(),
};
/** Accepted for o-series models; the local engine has no reasoning to spend effort on. */
const reasoningEffortSchema = z.enum(['minimal', 'low', 'medium', 'high']).nullable().optional();

export const v1CreateAssistantSchema = z.strictObject({
  model: z.string().min(1).max(256),
  name: z.string().max(256).nullable().optional(),
  description: z.string().max(512).nullable().optional(),
  instructions: z.string().max(256_000).nullable().optional(),
  tools: z.array(toolSchema).max(128).optional(),
  tool_resources: v1ToolResourcesSchema.optional(),
  metadata: v1MetadataSchema.optional(),
  reasoning_effort: reasoningEffortSchema,
  ...samplingSchema,
});
export const v1UpdateAssistantSchema = v1CreateAssistantSchema.partial();

export const v1CreateThreadSchema = z.strictObject({
  messages: z.array(v1CreateMessageSchema).max(32).optional(),
  tool_resources: v1ToolResourcesSchema.optional(),
  metadata: v1MetadataSchema.optional(),
});
export const v1UpdateThreadSchema = z.strictObject({
  tool_resources: v1ToolResourcesSchema.optional(),
  metadata: v1MetadataSchema.optional(),
});
export const v1UpdateMetadataSchema = z.strictObject({ metadata: v1MetadataSchema.optional() });

const runFields = {
  assistant_id: v1IdSchema,
  model: z.string().min(1).max(256).nullable().optional(),
  instructions: z.string().max(256_000).nullable().optional(),
  tools: z.array(toolSchema).max(128).nullable().optional(),
  metadata: v1MetadataSchema.optional(),
  stream: z.boolean().nullable().optional(),
  max_prompt_tokens: z.number().int().min(256).nullable().optional(),
  max_completion_tokens: z.number().int().min(16).nullable().optional(),
  truncation_strategy: z.unknown().optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().optional(),
  ...samplingSchema,
};
export const v1CreateRunSchema = z.strictObject({
  ...runFields,
  reasoning_effort: reasoningEffortSchema,
  additional_instructions: z.string().max(256_000).nullable().optional(),
  additional_messages: z.array(v1CreateMessageSchema).max(32).nullable().optional(),
});
export type V1CreateRun = z.infer<typeof v1CreateRunSchema>;
export const v1CreateThreadAndRunSchema = z.strictObject({
  ...runFields,
  thread: v1CreateThreadSchema.optional(),
  tool_resources: v1ToolResourcesSchema.optional(),
});
const includeSchema = z.union([z.string().max(256), z.array(z.string().max(256)).max(8)]).optional();
/** `include[]=…` (how the SDK sends it) or `include=…`. */
export const v1RunQuerySchema = z.object({ include: includeSchema, 'include[]': includeSchema });
export const v1SubmitToolOutputsSchema = z.strictObject({
  tool_outputs: z
    .array(z.object({ tool_call_id: z.string().min(1), output: z.string().max(512 * 1024) }))
    .min(1),
  stream: z.boolean().nullable().optional(),
});

/** OpenAI's error body, used for every error under /v1. */
export const v1ErrorSchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.string().nullable(),
  }),
});
export type V1Error = z.infer<typeof v1ErrorSchema>;

export const v1ModelSchema = z.object({
  id: z.string(),
  object: z.literal('model'),
  created: z.number().int(),
  owned_by: z.string(),
});
