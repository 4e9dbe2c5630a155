import type { SwaggerTransform } from '@fastify/swagger';
import { errorBodySchema, v1ErrorSchema } from '@threadline/shared';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';

type Responses = Record<string, unknown>;

const v1Error = {
  description: "OpenAI's error body",
  ...z.toJSONSchema(v1ErrorSchema, { target: 'openapi-3.0' }),
};
const appError = {
  description: 'The one error shape',
  ...z.toJSONSchema(errorBodySchema, { target: 'openapi-3.0' }),
};
/** Every status a route can answer besides its own: what Fastify, Node and the plugins add. */
const v1ErrorStatuses: Record<string, string> = {
  400: 'Invalid request: bad JSON, a missing or unknown parameter, a bad cursor',
  401: 'Missing or wrong bearer token (when auth is on)',
  404: 'No such object (or not yours)',
  413: 'Body or upload too large',
  415: 'Unsupported content type',
  429: 'Rate limited (or too many failed logins); see retry-after',
  431: 'Request headers too large (refused by Node before any route runs)',
  500: 'Something went wrong on our side',
  503: 'The server is shutting down',
};
/**
 * Outside /v1 a path id over 100 characters is refused with 414; /v1 answers such a URL as
 * OpenAI does, 404 (no object has such an id), so its document has no 414.
 */
const errorStatuses: Record<string, string> = { ...v1ErrorStatuses, 414: 'A path id too long' };

/** Routes whose 200 is a file's bytes, not JSON. */
const fileDownloads = new Set(['/v1/files/:file_id/content', '/api/files/:fileId']);
const fileBytes = {
  description: 'The file as uploaded',
  content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
};

const binary = { schema: { type: 'string', format: 'binary' } };
/** The file a citation opens: PDFs inline, text as text, DOCX as a download. */
const fileViews = new Set(['/knowledge/files/:fileId/content']);
const fileView = {
  description: 'The file, to open in the browser',
  content: {
    'application/pdf': binary,
    'text/plain': { schema: { type: 'string' } },
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': binary,
  },
};

// The schema of one event, as SSE readers (schemathesis among them) check each event they parse.
const sse = (description: string) => ({
  schema: {
    type: 'object',
    description: `Server-Sent Events: ${description}`,
    properties: { event: { type: 'string' }, data: { type: 'string' } },
  },
});
const ndjson = (description: string) => ({
  schema: { type: 'string', description: `Newline-delimited JSON: ${description}` },
});
const assistantsEvents = 'Assistants stream events (`event: <name>`, `data: <json>`), ended by `event: done`';
const responsesEvents =
  'Responses stream events (`event: <type>`, `data: <json>` with `type` and `sequence_number`), ended by the terminal event';

/** The 200 of routes whose answer is a stream (with `stream: true`, for the /v1 ones). */
const streamed: Record<string, Responses> = {
  '/v1/threads/runs': {
    'application/json': { schema: { type: 'object' } },
    'text/event-stream': sse(assistantsEvents),
  },
  '/v1/threads/:thread_id/runs': {
    'application/json': { schema: { type: 'object' } },
    'text/event-stream': sse(assistantsEvents),
  },
  '/v1/threads/:thread_id/runs/:run_id/submit_tool_outputs': {
    'application/json': { schema: { type: 'object' } },
    'text/event-stream': sse(assistantsEvents),
  },
  '/v1/responses': {
    'application/json': { schema: { type: 'object' } },
    'text/event-stream': sse(responsesEvents),
  },
  '/v1/responses/:response_id': {
    'application/json': { schema: { type: 'object' } },
    'text/event-stream': sse(responsesEvents),
  },
  '/chat/stream': {
    'text/event-stream': sse(assistantsEvents),
    'application/x-ndjson': ndjson('the same events, `{"event":…,"data":…}` per line'),
  },
  '/api/assistants/threads/:threadId/messages': { 'application/x-ndjson': ndjson('AssistantStream events') },
  '/api/assistants/threads/:threadId/actions': { 'application/x-ndjson': ndjson('AssistantStream events') },
};

/** Routes that answer audio or text rather than JSON (OpenAI's audio endpoints). */
const mediaAnswers: Record<string, Responses> = {
  '/v1/audio/speech': Object.fromEntries(
    ['audio/mpeg', 'audio/ogg', 'audio/aac', 'audio/flac', 'audio/wav', 'audio/pcm'].map((type) => [
      type,
      binary,
    ]),
  ),
  '/v1/audio/transcriptions': {
    'application/json': { schema: { type: 'object' } },
    'text/plain': { schema: { type: 'string' } },
    'text/vtt': { schema: { type: 'string' } },
  },
};

/**
 * The zod transform, then what route schemas cannot say: 204 has no body, streaming routes
 * answer 200 with a stream, downloads answer bytes, and every route can answer every error status
 * (in OpenAI's shape on /v1, in the one error shape elsewhere).
 */
export const openApiTransform: SwaggerTransform = (input) => {
  const transformed = jsonSchemaTransform(input);
  const schema = { ...transformed.schema } as { response?: Responses; hide?: boolean };
  const responses: Responses = { ...schema.response };
  if ('204' in responses) responses['204'] = { type: 'null', description: 'No Content' };
  const stream = streamed[input.url];
  if (stream) responses['200'] = { description: 'The answer, streamed', content: stream };
  if (fileDownloads.has(input.url)) responses['200'] = fileBytes;
  if (fileViews.has(input.url)) responses['200'] = fileView;
  const media = mediaAnswers[input.url];
  if (media)
    responses['200'] = { description: 'The audio, or the transcript in the asked format', content: media };
  // The quickstart's file delete answered an empty 200, and the legacy route does the same.
  if (input.url === '/api/assistants/files' && input.route.method === 'DELETE')
    responses['200'] = { type: 'null', description: 'Deleted (an empty body, as the quickstart answered)' };
  const isV1 = input.url.startsWith('/v1/');
  if (!Object.keys(responses).some((status) => status.startsWith('2')))
    responses['200'] = { type: 'object', description: isV1 ? 'The object, in OpenAI’s shape' : 'The result' };
  for (const [status, description] of Object.entries(isV1 ? v1ErrorStatuses : errorStatuses))
    // Node answers 431 itself, before Fastify or any route sees the request: its own JSON body.
    responses[status] ??=
      status === '431' ? { type: 'object', description } : { ...(isV1 ? v1Error : appError), description };
  return { ...transformed, schema: { ...schema, response: responses } };
};
