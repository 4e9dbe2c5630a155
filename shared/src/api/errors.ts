import { z } from 'zod';

/** The stable error codes of Threadline's own API. Clients switch on these, never on messages. */
export const errorCodes = [
  'bad_request',
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'uri_too_long',
  'method_not_allowed',
  'conflict',
  'thread_busy',
  'cursor_expired',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'upstream_error',
  'upstream_unavailable',
  'upstream_rate_limited',
  'store_unavailable',
  'coordination_unavailable',
  'shutting_down',
  'internal_error',
] as const;
export const errorCodeSchema = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof errorCodeSchema>;

export const errorIssueSchema = z.object({
  path: z.string(),
  message: z.string(),
});

/** The one error shape every Threadline endpoint answers with (OpenAI's is used under /v1). */
export const errorBodySchema = z.object({
  statusCode: z.number().int().min(400).max(599),
  code: errorCodeSchema,
  message: z.string(),
  issues: z.array(errorIssueSchema).optional(),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
