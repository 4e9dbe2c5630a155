import { z } from 'zod';
import { functionToolSchema, toolSchema } from '../assistants/objects.js';

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

/**
 * Body of the legacy `POST /api/assistants`. The quickstart's browser sends none: its server
 * defined the assistant, and Threadline makes the same one. Given fields replace that one's.
 */
export const legacyAssistantRequestSchema = z.object({
  name: z.string().max(256).optional(),
  instructions: z.string().max(256_000).optional(),
  model: z.string().min(1).max(256).optional(),
  /** `code_interpreter` is accepted, as /v1 accepts it, and never offered to the model. */
  tools: z.array(toolSchema).max(128).optional(),
});
export type LegacyAssistantRequest = z.infer<typeof legacyAssistantRequestSchema>;

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

/**
 * The model id of the local engine's quoted answers: the passage of the documents that answers,
 * as written there, when no model is configured. Runs and stored messages carry it as their
 * `model`, so a client can say which kind of answer it shows.
 */
export const extractiveModelId = 'threadline-extractive';

/**
 * How a model answers: `extractive` quotes the passage that answers (Threadline's model-free
 * answerer); `generative` writes the answer (a language model). Absent when the server does not
 * say (a server other than Threadline serves language models).
 */
export const answerKindSchema = z.enum(['extractive', 'generative']);
export type AnswerKind = z.infer<typeof answerKindSchema>;
export const modelSchema = z.object({
  id: z.string(),
  ownedBy: z.string(),
  description: z.string(),
  answerKind: answerKindSchema.optional(),
});
export const modelListSchema = z.object({ data: z.array(modelSchema) });
export type ModelInfo = z.infer<typeof modelSchema>;
export { idSchema };

/**
 * The id of one streamed event: `<run stream id>:<position>`, e.g. `rs_Z3k9cQ1mT0aB:17`. The
 * run stream id names one run of a thread; positions count from 1 in the order events were sent.
 */
export const streamEventIdSchema = z
  .string()
  .max(80)
  .regex(/^rs_[A-Za-z0-9_-]{1,64}:[1-9][0-9]{0,8}$/, 'an event id is "<run stream id>:<position>"');

export const threadStreamQuerySchema = z.object({
  /** Resume after this event id (the same as the `Last-Event-ID` header; the header wins). */
  after: streamEventIdSchema.optional(),
});

export const threadCancelResultSchema = z.object({
  threadId: z.string(),
  /** Whether a run was in progress and has now ended cancelled (false: nothing was running). */
  cancelled: z.boolean(),
});
export type ThreadCancelResult = z.infer<typeof threadCancelResultSchema>;
