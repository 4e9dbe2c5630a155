import { z } from 'zod';
import { functionToolSchema } from '../assistants/objects.js';

/** OpenAI's own limit for one message's text. */
export const maxMessageCharacters = 32_768;

const idSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_-]+$/, 'ids are letters, digits, "_" and "-"');

export const chatRequestSchema = z.object({
  threadId: idSchema.optional(),
  content: z
    .string()
    .max(maxMessageCharacters, `content is at most ${maxMessageCharacters} characters`)
    .refine((text) => text.trim().length > 0, 'content must not be empty'),
  vectorStoreIds: z.array(idSchema).max(16).optional(),
  model: z.string().min(1).max(128).optional(),
  instructions: z.string().max(maxMessageCharacters).optional(),
  /** Where the question comes from: a thread a Compare run creates is labelled so in the history. */
  origin: z.enum(['chat', 'compare']).optional(),
  /** Function tools the model may call; the run then pauses in `requires_action`. */
  tools: z.array(functionToolSchema).max(64).optional(),
});
export type ChatRequest = z.infer<typeof chatRequestSchema>;

export const toolOutputsRequestSchema = z.object({
  threadId: idSchema,
  runId: idSchema,
  toolOutputs: z
    .array(z.object({ tool_call_id: z.string().min(1), output: z.string().max(512 * 1024) }))
    .min(1),
});
export type ToolOutputsRequest = z.infer<typeof toolOutputsRequestSchema>;

/** Body of the legacy `/api/assistants/threads/:threadId/messages` route. */
export const legacyMessageRequestSchema = z.object({
  content: z
    .string()
    .max(maxMessageCharacters)
    .refine((text) => text.trim().length > 0, 'content must not be empty'),
});
export type LegacyMessageRequest = z.infer<typeof legacyMessageRequestSchema>;

export const legacyActionsRequestSchema = z.object({
  runId: idSchema,
  toolCallOutputs: z.array(z.object({ tool_call_id: z.string().min(1), output: z.string() })).min(1),
});
export type LegacyActionsRequest = z.infer<typeof legacyActionsRequestSchema>;

export const threadIdParamsSchema = z.object({ threadId: idSchema });

export const modelSchema = z.object({ id: z.string(), ownedBy: z.string(), description: z.string() });
export const modelListSchema = z.object({ data: z.array(modelSchema) });
export type ModelInfo = z.infer<typeof modelSchema>;
export { idSchema };
