import { z } from 'zod';
import {
  messageDeltaSchema,
  messageSchema,
  runSchema,
  runStepDeltaSchema,
  runStepSchema,
  threadSchema,
} from './objects.js';

/** The Assistants stream events exactly as OpenAI documented them, as one discriminated union. */

export const runEventNames = [
  'thread.run.created',
  'thread.run.queued',
  'thread.run.in_progress',
  'thread.run.requires_action',
  'thread.run.completed',
  'thread.run.incomplete',
  'thread.run.failed',
  'thread.run.cancelling',
  'thread.run.cancelled',
  'thread.run.expired',
] as const;
export const runStepEventNames = [
  'thread.run.step.created',
  'thread.run.step.in_progress',
  'thread.run.step.completed',
  'thread.run.step.failed',
  'thread.run.step.cancelled',
  'thread.run.step.expired',
] as const;
export const messageEventNames = [
  'thread.message.created',
  'thread.message.in_progress',
  'thread.message.completed',
  'thread.message.incomplete',
] as const;

export const errorEventDataSchema = z.object({
  code: z.string().nullable(),
  message: z.string(),
  param: z.string().nullable().optional(),
  type: z.string().optional(),
});
export type ErrorEventData = z.infer<typeof errorEventDataSchema>;

const eventOf = <Name extends string, Data extends z.ZodType>(name: Name, data: Data) =>
  z.object({ event: z.literal(name), data });

export const assistantStreamEventSchema = z.discriminatedUnion('event', [
  eventOf('thread.created', threadSchema),
  ...runEventNames.map((name) => eventOf(name, runSchema)),
  ...runStepEventNames.map((name) => eventOf(name, runStepSchema)),
  eventOf('thread.run.step.delta', runStepDeltaSchema),
  ...messageEventNames.map((name) => eventOf(name, messageSchema)),
  eventOf('thread.message.delta', messageDeltaSchema),
  eventOf('error', errorEventDataSchema),
  eventOf('done', z.literal('[DONE]')),
] as unknown as [ReturnType<typeof eventOf<'thread.created', typeof threadSchema>>, ...z.ZodObject[]]);

type ThreadEvent = { event: 'thread.created'; data: z.infer<typeof threadSchema> };
type RunEvent = { event: (typeof runEventNames)[number]; data: z.infer<typeof runSchema> };
type RunStepEvent = {
  event: (typeof runStepEventNames)[number];
  data: z.infer<typeof runStepSchema>;
};
type RunStepDeltaEvent = {
  event: 'thread.run.step.delta';
  data: z.infer<typeof runStepDeltaSchema>;
};
type MessageEvent = {
  event: (typeof messageEventNames)[number];
  data: z.infer<typeof messageSchema>;
};
type MessageDeltaEvent = { event: 'thread.message.delta'; data: z.infer<typeof messageDeltaSchema> };
type ErrorEvent = { event: 'error'; data: ErrorEventData };
type DoneEvent = { event: 'done'; data: '[DONE]' };

export type AssistantStreamEvent =
  | ThreadEvent
  | RunEvent
  | RunStepEvent
  | RunStepDeltaEvent
  | MessageEvent
  | MessageDeltaEvent
  | ErrorEvent
  | DoneEvent;
export type AssistantStreamEventName = AssistantStreamEvent['event'];

export const assistantStreamEventNames: readonly AssistantStreamEventName[] = [
  'thread.created',
  ...runEventNames,
  ...runStepEventNames,
  'thread.run.step.delta',
  ...messageEventNames,
  'thread.message.delta',
  'error',
  'done',
];

/** Parses one event; the union's own type is declared by hand because zod cannot infer a mapped union. */
export function parseAssistantStreamEvent(
  value: unknown,
): { success: true; data: AssistantStreamEvent } | { success: false; error: z.ZodError } {
  const result = assistantStreamEventSchema.safeParse(value);
  return result.success
    ? { success: true, data: result.data as AssistantStreamEvent }
    : { success: false, error: result.error };
}

export const isRunEvent = (event: AssistantStreamEvent): event is RunEvent =>
  (runEventNames as readonly string[]).includes(event.event);
