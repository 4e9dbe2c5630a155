import { z } from 'zod';

/**
 * The objects of OpenAI's Responses and Conversations APIs as Threadline answers them: a response,
 * the items of its input and output, a conversation and its items. A message's text carries no
 * citation markers; a `file_citation` annotation names the file and the position (`index`) in the
 * text it supports.
 */

export const responseFileCitationSchema = z.object({
  type: z.literal('file_citation'),
  file_id: z.string(),
  filename: z.string(),
  index: z.number().int().nonnegative(),
});
export type ResponseFileCitation = z.infer<typeof responseFileCitationSchema>;

export const responseOutputTextSchema = z.object({
  type: z.literal('output_text'),
  text: z.string(),
  annotations: z.array(responseFileCitationSchema),
  logprobs: z.array(z.unknown()),
});
export type ResponseOutputText = z.infer<typeof responseOutputTextSchema>;

export const responseInputTextSchema = z.object({ type: z.literal('input_text'), text: z.string() });

const itemStatusSchema = z.enum(['in_progress', 'completed', 'incomplete']);

export const responseMessageItemSchema = z.object({
  type: z.literal('message'),
  id: z.string(),
  status: itemStatusSchema,
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.array(z.discriminatedUnion('type', [responseOutputTextSchema, responseInputTextSchema])),
});
export type ResponseMessageItem = z.infer<typeof responseMessageItemSchema>;

export const responseFileSearchResultSchema = z.object({
  file_id: z.string(),
  filename: z.string(),
  score: z.number(),
  text: z.string(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type ResponseFileSearchResult = z.infer<typeof responseFileSearchResultSchema>;

export const responseFileSearchCallSchema = z.object({
  type: z.literal('file_search_call'),
  id: z.string(),
  status: z.enum(['in_progress', 'searching', 'completed', 'incomplete', 'failed']),
  queries: z.array(z.string()),
  /** Null unless `include` asked for `file_search_call.results`. */
  results: z.array(responseFileSearchResultSchema).nullable(),
});
export type ResponseFileSearchCall = z.infer<typeof responseFileSearchCallSchema>;

export const responseFunctionCallSchema = z.object({
  type: z.literal('function_call'),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: itemStatusSchema,
});
export type ResponseFunctionCall = z.infer<typeof responseFunctionCallSchema>;

export const responseFunctionCallOutputSchema = z.object({
  type: z.literal('function_call_output'),
  id: z.string(),
  call_id: z.string(),
  output: z.string(),
  status: itemStatusSchema,
});
export type ResponseFunctionCallOutput = z.infer<typeof responseFunctionCallOutputSchema>;

/** What a response outputs. */
export const responseOutputItemSchema = z.discriminatedUnion('type', [
  responseMessageItemSchema,
  responseFileSearchCallSchema,
  responseFunctionCallSchema,
]);
export type ResponseOutputItem = z.infer<typeof responseOutputItemSchema>;

/** A response's input items and a conversation's items. */
export const responseItemSchema = z.discriminatedUnion('type', [
  responseMessageItemSchema,
  responseFileSearchCallSchema,
  responseFunctionCallSchema,
  responseFunctionCallOutputSchema,
]);
export type ResponseItem = z.infer<typeof responseItemSchema>;

export const responseUsageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  input_tokens_details: z.object({ cached_tokens: z.number().int().nonnegative() }),
  output_tokens: z.number().int().nonnegative(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int().nonnegative() }),
  total_tokens: z.number().int().nonnegative(),
});
export type ResponseUsage = z.infer<typeof responseUsageSchema>;

export const responseStatusSchema = z.enum([
  'queued',
  'in_progress',
  'completed',
  'failed',
  'cancelled',
  'incomplete',
]);
export type ResponseStatus = z.infer<typeof responseStatusSchema>;
export const terminalResponseStatuses: readonly ResponseStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'incomplete',
];

export const responseObjectSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number().int(),
  status: responseStatusSchema,
  completed_at: z.number().int().nullable(),
  background: z.boolean(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.string() }).nullable(),
  instructions: z.string().nullable(),
  max_output_tokens: z.number().int().nullable(),
  max_tool_calls: z.number().int().nullable(),
  model: z.string(),
  output: z.array(responseOutputItemSchema),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.string().nullable(),
  conversation: z.object({ id: z.string() }).nullable(),
  reasoning: z.object({ effort: z.string().nullable(), summary: z.string().nullable() }),
  service_tier: z.string(),
  store: z.boolean(),
  temperature: z.number(),
  text: z.object({ format: z.record(z.string(), z.unknown()), verbosity: z.string() }),
  tool_choice: z.unknown(),
  tools: z.array(z.record(z.string(), z.unknown())),
  top_logprobs: z.number().int(),
  top_p: z.number(),
  truncation: z.enum(['auto', 'disabled']),
  usage: responseUsageSchema.nullable(),
  user: z.string().nullable(),
  safety_identifier: z.string().nullable(),
  prompt_cache_key: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
});
export type ResponseObject = z.infer<typeof responseObjectSchema>;

export const responseDeletedSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  deleted: z.literal(true),
});

export const conversationObjectSchema = z.object({
  id: z.string(),
  object: z.literal('conversation'),
  created_at: z.number().int(),
  metadata: z.record(z.string(), z.string()),
});
export type ConversationObject = z.infer<typeof conversationObjectSchema>;

export const conversationDeletedSchema = z.object({
  id: z.string(),
  object: z.literal('conversation.deleted'),
  deleted: z.literal(true),
});

/** A page of items, as both a response's input items and a conversation's items are listed. */
export const responseItemListSchema = z.object({
  object: z.literal('list'),
  data: z.array(responseItemSchema),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});
export type ResponseItemList = z.infer<typeof responseItemListSchema>;
