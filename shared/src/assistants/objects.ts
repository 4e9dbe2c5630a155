import { z } from 'zod';

/** Objects of the OpenAI Assistants API (v2) as its stream events carry them. */

const metadataSchema = z.record(z.string(), z.string()).nullable();

export const usageSchema = z.object({
  prompt_tokens: z.number().int().nonnegative(),
  completion_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
});
export type Usage = z.infer<typeof usageSchema>;

export const threadSchema = z.object({
  id: z.string(),
  object: z.literal('thread'),
  created_at: z.number().int(),
  metadata: metadataSchema,
  tool_resources: z
    .object({
      file_search: z.object({ vector_store_ids: z.array(z.string()) }).optional(),
      code_interpreter: z.object({ file_ids: z.array(z.string()) }).optional(),
    })
    .nullable()
    .optional(),
});
export type Thread = z.infer<typeof threadSchema>;

export const fileCitationAnnotationSchema = z.object({
  type: z.literal('file_citation'),
  text: z.string(),
  start_index: z.number().int().nonnegative(),
  end_index: z.number().int().nonnegative(),
  file_citation: z.object({ file_id: z.string(), quote: z.string().optional() }),
});
export const filePathAnnotationSchema = z.object({
  type: z.literal('file_path'),
  text: z.string(),
  start_index: z.number().int().nonnegative(),
  end_index: z.number().int().nonnegative(),
  file_path: z.object({ file_id: z.string() }),
});
export const annotationSchema = z.discriminatedUnion('type', [
  fileCitationAnnotationSchema,
  filePathAnnotationSchema,
]);
export type FileCitationAnnotation = z.infer<typeof fileCitationAnnotationSchema>;
export type Annotation = z.infer<typeof annotationSchema>;

export const textContentSchema = z.object({
  type: z.literal('text'),
  text: z.object({ value: z.string(), annotations: z.array(annotationSchema) }),
});
export const imageFileContentSchema = z.object({
  type: z.literal('image_file'),
  image_file: z.object({ file_id: z.string(), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
export const refusalContentSchema = z.object({ type: z.literal('refusal'), refusal: z.string() });
export const messageContentSchema = z.discriminatedUnion('type', [
  textContentSchema,
  imageFileContentSchema,
  refusalContentSchema,
]);
export type MessageContent = z.infer<typeof messageContentSchema>;

export const messageStatusSchema = z.enum(['in_progress', 'incomplete', 'completed']);
export const messageSchema = z.object({
  id: z.string(),
  object: z.literal('thread.message'),
  created_at: z.number().int(),
  thread_id: z.string(),
  status: messageStatusSchema,
  incomplete_details: z
    .object({
      reason: z.enum(['content_filter', 'max_tokens', 'run_cancelled', 'run_expired', 'run_failed']),
    })
    .nullable(),
  completed_at: z.number().int().nullable(),
  incomplete_at: z.number().int().nullable(),
  role: z.enum(['user', 'assistant']),
  content: z.array(messageContentSchema),
  assistant_id: z.string().nullable(),
  run_id: z.string().nullable(),
  attachments: z
    .array(z.object({ file_id: z.string(), tools: z.array(z.object({ type: z.string() })) }))
    .nullable(),
  metadata: metadataSchema,
});
export type Message = z.infer<typeof messageSchema>;

const textDeltaAnnotationSchema = z.object({
  index: z.number().int().nonnegative(),
  type: z.enum(['file_citation', 'file_path']),
  text: z.string().optional(),
  start_index: z.number().int().nonnegative().optional(),
  end_index: z.number().int().nonnegative().optional(),
  file_citation: z.object({ file_id: z.string(), quote: z.string().optional() }).optional(),
  file_path: z.object({ file_id: z.string() }).optional(),
});
export const messageDeltaSchema = z.object({
  id: z.string(),
  object: z.literal('thread.message.delta'),
  delta: z.object({
    role: z.enum(['user', 'assistant']).optional(),
    content: z.array(
      z.object({
        index: z.number().int().nonnegative(),
        type: z.literal('text'),
        text: z
          .object({
            value: z.string().optional(),
            annotations: z.array(textDeltaAnnotationSchema).optional(),
          })
          .optional(),
      }),
    ),
  }),
});
export type MessageDelta = z.infer<typeof messageDeltaSchema>;

export const lastErrorSchema = z.object({ code: z.string(), message: z.string() });

export const functionToolSchema = z.object({
  type: z.literal('function'),
  function: z.object({
    name: z.string(),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});
export const fileSearchToolSchema = z.object({
  type: z.literal('file_search'),
  file_search: z
    .object({
      max_num_results: z.number().int().min(1).max(50).optional(),
      ranking_options: z
        .object({
          ranker: z.string().optional(),
          score_threshold: z.number().min(0).max(1),
        })
        .optional(),
    })
    .optional(),
});
export const codeInterpreterToolSchema = z.object({ type: z.literal('code_interpreter') });
export const toolSchema = z.discriminatedUnion('type', [
  functionToolSchema,
  fileSearchToolSchema,
  codeInterpreterToolSchema,
]);
export type Tool = z.infer<typeof toolSchema>;

export const runStatusSchema = z.enum([
  'queued',
  'in_progress',
  'requires_action',
  'cancelling',
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
]);
export type RunStatus = z.infer<typeof runStatusSchema>;
export const terminalRunStatuses: readonly RunStatus[] = [
  'cancelled',
  'failed',
  'completed',
  'incomplete',
  'expired',
];

export const functionToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('function'),
  function: z.object({ name: z.string(), arguments: z.string(), output: z.string().nullable().optional() }),
});
export type FunctionToolCall = z.infer<typeof functionToolCallSchema>;

export const runSchema = z.object({
  id: z.string(),
  object: z.literal('thread.run'),
  created_at: z.number().int(),
  thread_id: z.string(),
  assistant_id: z.string(),
  status: runStatusSchema,
  required_action: z
    .object({
      type: z.literal('submit_tool_outputs'),
      submit_tool_outputs: z.object({ tool_calls: z.array(functionToolCallSchema) }),
    })
    .nullable(),
  last_error: lastErrorSchema.nullable(),
  expires_at: z.number().int().nullable(),
  started_at: z.number().int().nullable(),
  cancelled_at: z.number().int().nullable(),
  failed_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  incomplete_details: z.object({ reason: z.string() }).nullable(),
  model: z.string(),
  instructions: z.string().nullable(),
  tools: z.array(toolSchema),
  metadata: metadataSchema,
  usage: usageSchema.nullable(),
  temperature: z.number().nullable().optional(),
  top_p: z.number().nullable().optional(),
  max_prompt_tokens: z.number().int().nullable().optional(),
  max_completion_tokens: z.number().int().nullable().optional(),
  truncation_strategy: z
    .object({ type: z.string(), last_messages: z.number().int().nullable().optional() })
    .nullable()
    .optional(),
  tool_choice: z.unknown().optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z.unknown().optional(),
});
export type Run = z.infer<typeof runSchema>;

export const fileSearchResultSchema = z.object({
  file_id: z.string(),
  file_name: z.string(),
  score: z.number(),
  content: z.array(z.object({ type: z.literal('text'), text: z.string() })).optional(),
});
export const fileSearchToolCallSchema = z.object({
  id: z.string(),
  type: z.literal('file_search'),
  file_search: z.object({
    ranking_options: z.object({ ranker: z.string(), score_threshold: z.number() }).optional(),
    results: z.array(fileSearchResultSchema).optional(),
  }),
});
export const toolCallSchema = z.discriminatedUnion('type', [
  fileSearchToolCallSchema,
  functionToolCallSchema,
]);
export type ToolCall = z.infer<typeof toolCallSchema>;

export const stepDetailsSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('message_creation'),
    message_creation: z.object({ message_id: z.string() }),
  }),
  z.object({ type: z.literal('tool_calls'), tool_calls: z.array(toolCallSchema) }),
]);

export const runStepSchema = z.object({
  id: z.string(),
  object: z.literal('thread.run.step'),
  created_at: z.number().int(),
  assistant_id: z.string(),
  thread_id: z.string(),
  run_id: z.string(),
  type: z.enum(['message_creation', 'tool_calls']),
  status: z.enum(['in_progress', 'cancelled', 'failed', 'completed', 'expired']),
  step_details: stepDetailsSchema,
  last_error: lastErrorSchema.nullable(),
  expired_at: z.number().int().nullable(),
  cancelled_at: z.number().int().nullable(),
  failed_at: z.number().int().nullable(),
  completed_at: z.number().int().nullable(),
  metadata: metadataSchema,
  usage: usageSchema.nullable(),
});
export type RunStep = z.infer<typeof runStepSchema>;

export const runStepDeltaSchema = z.object({
  id: z.string(),
  object: z.literal('thread.run.step.delta'),
  delta: z.object({
    step_details: z
      .object({
        type: z.enum(['message_creation', 'tool_calls']),
        message_creation: z.object({ message_id: z.string() }).optional(),
        tool_calls: z
          .array(
            z.object({
              index: z.number().int().nonnegative(),
              id: z.string().optional(),
              type: z.enum(['file_search', 'function', 'code_interpreter']),
              file_search: z.record(z.string(), z.unknown()).optional(),
              function: z
                .object({
                  name: z.string().optional(),
                  arguments: z.string().optional(),
                  output: z.string().nullable().optional(),
                })
                .optional(),
            }),
          )
          .optional(),
      })
      .optional(),
  }),
});
export type RunStepDelta = z.infer<typeof runStepDeltaSchema>;
