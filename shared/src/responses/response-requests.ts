import { z } from 'zod';
import { maxMessageCharacters } from '../api/chat.js';
import { v1IdSchema, v1MetadataSchema } from '../v1/v1-requests.js';

/**
 * Request shapes of OpenAI's Responses and Conversations APIs as Threadline serves them under
 * /v1. Bodies are strict at the top level (an unknown parameter is a 400 naming it, as OpenAI
 * answers) and list what OpenAI documents for each endpoint, used or not. Content Threadline
 * cannot take (images, files, audio) and tools it does not run parse here and are refused by the
 * service with the parameter that named them.
 */

const textSchema = z.string().max(maxMessageCharacters);

export const responseInputContentPartSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('input_text'), text: textSchema }),
  z.object({ type: z.literal('output_text'), text: textSchema }).loose(),
  z.object({ type: z.literal('refusal'), refusal: textSchema }).loose(),
  z.object({ type: z.enum(['input_image', 'input_file', 'input_audio']) }).loose(),
]);
export type ResponseInputContentPart = z.infer<typeof responseInputContentPartSchema>;

const messageRoleSchema = z.enum(['user', 'assistant', 'system', 'developer']);
export const responseInputMessageSchema = z.object({
  type: z.literal('message').optional(),
  id: v1IdSchema.optional(),
  role: messageRoleSchema,
  content: z.union([textSchema, z.array(responseInputContentPartSchema).min(1).max(64)]),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
  phase: z.string().nullable().optional(),
});

const functionCallOutputSchema = z.object({
  type: z.literal('function_call_output'),
  id: v1IdSchema.nullable().optional(),
  call_id: z.string().min(1).max(128),
  output: z.union([
    z.string().max(512 * 1024),
    z.array(z.object({ type: z.literal('input_text'), text: z.string().max(512 * 1024) }).loose()),
  ]),
  status: z.enum(['in_progress', 'completed', 'incomplete']).nullable().optional(),
});

/** A call the model made, given back (as OpenAI's guides do with `input.push(...response.output)`). */
const functionCallSchema = z.object({
  type: z.literal('function_call'),
  id: v1IdSchema.optional(),
  call_id: z.string().min(1).max(128),
  name: z.string().max(128),
  arguments: z.string().max(512 * 1024),
  status: z.enum(['in_progress', 'completed', 'incomplete']).optional(),
});

/** Output items given back that carry nothing to add: the thread already has them. */
const echoedItemSchema = z
  .object({ type: z.enum(['file_search_call', 'reasoning']), id: z.string() })
  .loose();
const itemReferenceSchema = z.object({ type: z.literal('item_reference'), id: v1IdSchema });

/** One item of `input` (or of a conversation's `items`): a message when it has no type. */
export const responseInputItemSchema = z.union([
  responseInputMessageSchema,
  z.discriminatedUnion('type', [
    functionCallOutputSchema,
    functionCallSchema,
    echoedItemSchema,
    itemReferenceSchema,
  ]),
]);
export type ResponseInputItem = z.infer<typeof responseInputItemSchema>;

export const responseFileSearchToolSchema = z.strictObject({
  type: z.literal('file_search'),
  vector_store_ids: z.array(v1IdSchema).min(1).max(16),
  max_num_results: z.number().int().min(1).max(50).optional(),
  ranking_options: z
    .object({
      ranker: z.string().max(64).optional(),
      score_threshold: z.number().min(0).max(1).optional(),
      hybrid_search: z.object({ embedding_weight: z.number(), text_weight: z.number() }).loose().optional(),
    })
    .optional(),
  /** Checked by the service against the recursive attribute-filter grammar (see response-filters.ts). */
  filters: z.unknown().optional(),
});

export const responseFunctionToolSchema = z.strictObject({
  type: z.literal('function'),
  name: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'function names are letters, digits, "_" and "-"'),
  description: z.string().max(4096).nullable().optional(),
  parameters: z.record(z.string(), z.unknown()).nullable().optional(),
  strict: z.boolean().nullable().optional(),
});

/** The tools Threadline runs: another type is a 400 naming `tools[n].type`. */
export const responseToolSchema = z.discriminatedUnion('type', [
  responseFileSearchToolSchema,
  responseFunctionToolSchema,
]);
export type ResponseTool = z.infer<typeof responseToolSchema>;

/** OpenAI's `include` values; only `file_search_call.results` changes what Threadline answers. */
export const responseIncludables = [
  'file_search_call.results',
  'message.input_image.image_url',
  'message.output_text.logprobs',
  'reasoning.encrypted_content',
  'computer_call_output.output.image_url',
  'code_interpreter_call.outputs',
  'web_search_call.action.sources',
  'web_search_call.results',
] as const;
export const responseIncludableSchema = z.enum(responseIncludables);

const textFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }),
  z.object({ type: z.literal('json_object') }),
  z
    .object({
      type: z.literal('json_schema'),
      name: z.string().min(1).max(64),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().max(4096).optional(),
      strict: z.boolean().nullable().optional(),
    })
    .loose(),
]);

const conversationParamSchema = z.union([v1IdSchema, z.object({ id: v1IdSchema })]);

export const responseCreateSchema = z.strictObject({
  model: z.string().min(1).max(256).optional(),
  input: z.union([textSchema, z.array(responseInputItemSchema).max(256)]).optional(),
  instructions: z.string().max(256_000).nullable().optional(),
  tools: z.array(responseToolSchema).max(128).optional(),
  tool_choice: z
    .union([z.enum(['none', 'auto', 'required']), z.object({ type: z.string().max(64) }).loose()])
    .optional(),
  parallel_tool_calls: z.boolean().nullable().optional(),
  include: z.array(responseIncludableSchema).max(16).nullable().optional(),
  store: z.boolean().nullable().optional(),
  metadata: v1MetadataSchema.optional(),
  temperature: z.number().min(0).max(2).nullable().optional(),
  top_p: z.number().min(0).max(1).nullable().optional(),
  top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  max_output_tokens: z.number().int().min(16).nullable().optional(),
  max_tool_calls: z.number().int().min(1).nullable().optional(),
  truncation: z.enum(['auto', 'disabled']).nullable().optional(),
  text: z
    .object({
      format: textFormatSchema.optional(),
      verbosity: z.enum(['low', 'medium', 'high']).nullable().optional(),
    })
    .optional(),
  reasoning: z
    .object({
      effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullable().optional(),
      summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
      generate_summary: z.enum(['auto', 'concise', 'detailed']).nullable().optional(),
    })
    .nullable()
    .optional(),
  previous_response_id: v1IdSchema.nullable().optional(),
  conversation: conversationParamSchema.nullable().optional(),
  background: z.boolean().nullable().optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_obfuscation: z.boolean().optional() }).nullable().optional(),
  service_tier: z.enum(['auto', 'default', 'flex', 'scale', 'priority']).nullable().optional(),
  user: z.string().max(512).optional(),
  safety_identifier: z.string().max(64).optional(),
  prompt_cache_key: z.string().max(512).optional(),
  prompt_cache_retention: z.enum(['in_memory', '24h']).nullable().optional(),
});
export type ResponseCreateRequest = z.infer<typeof responseCreateSchema>;

const includeQuerySchema = z
  .union([responseIncludableSchema, z.array(responseIncludableSchema).max(16)])
  .optional();
const streamFlagSchema = z.enum(['true', 'false']).optional();

/** `GET /responses/:id`: `stream=true` replays its events, after `starting_after` when given. */
export const responseRetrieveQuerySchema = z.object({
  stream: streamFlagSchema,
  starting_after: z.coerce.number().int().min(-1).optional(),
  include_obfuscation: streamFlagSchema,
  include: includeQuerySchema,
  'include[]': includeQuerySchema,
});

/** Cursor lists of items (a response's input, a conversation's items): newest first by default. */
export const responseItemListQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  order: z.enum(['asc', 'desc']).default('desc'),
  after: v1IdSchema.optional(),
  before: v1IdSchema.optional(),
  include: includeQuerySchema,
  'include[]': includeQuerySchema,
});
export type ResponseItemListQuery = z.infer<typeof responseItemListQuerySchema>;

export const responseIncludeQuerySchema = z.object({
  include: includeQuerySchema,
  'include[]': includeQuerySchema,
});

/** At most 20 items per call, as OpenAI allows. */
export const maxConversationItemsPerCall = 20;

export const conversationCreateSchema = z.strictObject({
  items: z.array(responseInputItemSchema).max(maxConversationItemsPerCall).nullable().optional(),
  metadata: v1MetadataSchema.optional(),
});
export const conversationUpdateSchema = z.strictObject({ metadata: v1MetadataSchema });
export const conversationItemsCreateSchema = z.strictObject({
  items: z.array(responseInputItemSchema).min(1).max(maxConversationItemsPerCall),
});
