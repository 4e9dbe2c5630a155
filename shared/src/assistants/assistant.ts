import { z } from 'zod';
import { toolSchema } from './objects.js';

/** An Assistants API (v2) assistant object. */
export const assistantSchema = z.object({
  id: z.string(),
  object: z.literal('assistant'),
  created_at: z.number().int(),
  name: z.string().nullable(),
  description: z.string().nullable(),
  model: z.string(),
  instructions: z.string().nullable(),
  tools: z.array(toolSchema),
  tool_resources: z
    .object({
      file_search: z.object({ vector_store_ids: z.array(z.string()) }).optional(),
      code_interpreter: z.object({ file_ids: z.array(z.string()) }).optional(),
    })
    .nullable()
    .optional(),
  metadata: z.record(z.string(), z.string()).nullable(),
  temperature: z.number().nullable().optional(),
  top_p: z.number().nullable().optional(),
  response_format: z.unknown().optional(),
});
export type Assistant = z.infer<typeof assistantSchema>;
