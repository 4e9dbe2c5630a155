import { z } from 'zod';
import {
  responseFileCitationSchema,
  responseObjectSchema,
  responseOutputItemSchema,
  responseOutputTextSchema,
} from './response-objects.js';

/**
 * The Responses stream events Threadline sends, as one discriminated union on `type`. Every event
 * carries a `sequence_number`, strictly increasing from 0 within a response, which
 * `GET /responses/:id?stream=true&starting_after=N` resumes after. The SSE frame's `event:` line
 * repeats `type`.
 */

const sequence = { sequence_number: z.number().int().nonnegative() };
const itemEvent = { ...sequence, output_index: z.number().int().nonnegative(), item_id: z.string() };
const contentEvent = { ...itemEvent, content_index: z.number().int().nonnegative() };

const lifecycleEvent = <Type extends string>(type: Type) =>
  z.object({ type: z.literal(type), ...sequence, response: responseObjectSchema });
const fileSearchEvent = <Type extends string>(type: Type) =>
  z.object({ type: z.literal(type), ...itemEvent });

export const responseStreamEventSchema = z.discriminatedUnion('type', [
  lifecycleEvent('response.created'),
  lifecycleEvent('response.queued'),
  lifecycleEvent('response.in_progress'),
  lifecycleEvent('response.completed'),
  lifecycleEvent('response.failed'),
  lifecycleEvent('response.incomplete'),
  z.object({
    type: z.literal('response.output_item.added'),
    ...sequence,
    output_index: z.number().int().nonnegative(),
    item: responseOutputItemSchema,
  }),
  z.object({
    type: z.literal('response.output_item.done'),
    ...sequence,
    output_index: z.number().int().nonnegative(),
    item: responseOutputItemSchema,
  }),
  fileSearchEvent('response.file_search_call.in_progress'),
  fileSearchEvent('response.file_search_call.searching'),
  fileSearchEvent('response.file_search_call.completed'),
  z.object({
    type: z.literal('response.content_part.added'),
    ...contentEvent,
    part: responseOutputTextSchema,
  }),
  z.object({
    type: z.literal('response.content_part.done'),
    ...contentEvent,
    part: responseOutputTextSchema,
  }),
  z.object({
    type: z.literal('response.output_text.delta'),
    ...contentEvent,
    delta: z.string(),
    logprobs: z.array(z.unknown()),
  }),
  z.object({
    type: z.literal('response.output_text.annotation.added'),
    ...contentEvent,
    annotation_index: z.number().int().nonnegative(),
    annotation: responseFileCitationSchema,
  }),
  z.object({
    type: z.literal('response.output_text.done'),
    ...contentEvent,
    text: z.string(),
    logprobs: z.array(z.unknown()),
  }),
  z.object({ type: z.literal('response.function_call_arguments.delta'), ...itemEvent, delta: z.string() }),
  z.object({
    type: z.literal('response.function_call_arguments.done'),
    ...itemEvent,
    name: z.string(),
    arguments: z.string(),
  }),
  z.object({
    type: z.literal('error'),
    ...sequence,
    code: z.string().nullable(),
    message: z.string(),
    param: z.string().nullable(),
  }),
]);
export type ResponseStreamEvent = z.infer<typeof responseStreamEventSchema>;
export type ResponseStreamEventType = ResponseStreamEvent['type'];
/** An event before it is given its place in the stream. */
export type UnnumberedResponseEvent = ResponseStreamEvent extends infer Event
  ? Event extends { sequence_number: number }
    ? Omit<Event, 'sequence_number'>
    : never
  : never;
