/**
 * @module http
 * HTTP plumbing every route uses: auth and failed-login throttling, the one error shape and its
 * handler (OpenAI's shape under /v1), security headers and rate limits, request logging, the
 * SSE/NDJSON stream writer and client-leave detection, upload file names, OpenAPI and the web app.
 */
export { authPlugin } from './auth/auth.js';
export { installEmptyBodyHandling, parseAsJsonOrNothing } from './empty-body.js';
export { AppError, notFound } from './errors/app-error.js';
export { installErrorHandling } from './errors/error-handler.js';
export { errorResponses } from './errors/error-responses.js';
export { frameworkErrors, refuseLongPathSegments, refuseWhileClosing } from './errors/framework-errors.js';
export { installOpenAiErrors, toOpenAiError } from './errors/openai-error.js';
export { toErrorBody } from './errors/to-error-body.js';
export { attachmentDisposition, uploadFileName } from './file-names.js';
export { listenBacklog } from './listen-options.js';
export { RequestLogController, loggerOptions } from './logging/logger.js';
export { streamStartedMessage } from './logging/readable-log-stream.js';
export { openApiTransform } from './openapi-transform.js';
export { rateLimitPlugin } from './security/rate-limit.js';
export { securityHeadersPlugin } from './security/security-headers.js';
export { EventStreamWriter, eventStreamDescription, framingFor } from './streaming/event-stream-writer.js';
export type { StreamFraming } from './streaming/event-stream-writer.js';
export { watchDisconnect } from './streaming/watch-disconnect.js';
export { defaultWebDistDir, registerWebApp } from './web-app.js';
