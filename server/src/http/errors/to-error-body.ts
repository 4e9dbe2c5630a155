import type { ErrorBody, ErrorCode } from '@threadline/shared';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { APIError } from 'openai';
import { ZodError } from 'zod';
import { AppError } from './app-error.js';

type Mapped = { body: ErrorBody; headers: Record<string, string>; isServerFault: boolean };

const statusCodes: Record<number, ErrorCode> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'bad_request',
  409: 'conflict',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'rate_limited',
  503: 'shutting_down',
};

type FastifyLikeError = Error & { statusCode?: number; validation?: unknown; code?: string };

/**
 * Maps anything thrown into the one error shape: validation → 400, AppError → its status,
 * upstream API errors → 429/502/503, anything else → 500 with a generic message.
 */
export function toErrorBody(error: unknown): Mapped {
  if (error instanceof AppError) {
    return {
      body: {
        statusCode: error.statusCode,
        code: error.code,
        message: error.message,
        ...(error.issues ? { issues: error.issues } : {}),
      },
      headers: error.headers ?? {},
      isServerFault: error.statusCode >= 500,
    };
  }
  if (error instanceof ZodError) return validationBody(error);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as { validationContext?: string }).validationContext;
    const issues = error.validation.map((issue) => {
      // A strict body names the parameter it does not know, as OpenAI does.
      const unknownKey = issue.keyword === 'unrecognized_keys' ? unknownKeyOf(issue.params) : undefined;
      const segments = issue.instancePath.split('/').filter(Boolean);
      return {
        path: [context, ...segments, unknownKey].filter(Boolean).join('.'),
        message:
          unknownKey === undefined
            ? (issue.message ?? 'is invalid')
            : `Unrecognized request argument supplied: ${unknownKey}`,
      };
    });
    return issuesBody(issues);
  }
  const fastifyError = error as FastifyLikeError;
  if (fastifyError instanceof Error && fastifyError.validation !== undefined) {
    return {
      body: { statusCode: 400, code: 'validation_failed', message: fastifyError.message },
      headers: {},
      isServerFault: false,
    };
  }
  if (error instanceof APIError)
    return upstreamBody(error as APIError<number | undefined, Headers | undefined>);
  const status = fastifyError instanceof Error ? fastifyError.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    return {
      body: { statusCode: status, code: statusCodes[status] ?? 'bad_request', message: fastifyError.message },
      headers: {},
      isServerFault: false,
    };
  }
  return {
    body: {
      statusCode: 500,
      code: 'internal_error',
      message: 'Something went wrong on our side; it has been logged.',
    },
    headers: {},
    isServerFault: true,
  };
}

function unknownKeyOf(params: unknown): string | undefined {
  const keys = (params as { keys?: unknown } | undefined)?.keys;
  return Array.isArray(keys) && typeof keys[0] === 'string' ? keys[0] : undefined;
}

function validationBody(error: ZodError): Mapped {
  return issuesBody(error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message })));
}

function issuesBody(issues: { path: string; message: string }[]): Mapped {
  const first = issues[0];
  const summary = first ? `${first.path ? `${first.path}: ` : ''}${first.message}` : 'invalid input';
  return {
    body: { statusCode: 400, code: 'validation_failed', message: `Invalid request: ${summary}`, issues },
    headers: {},
    isServerFault: false,
  };
}

function upstreamBody(error: APIError<number | undefined, Headers | undefined>): Mapped {
  if (error.status === 429) {
    const retryAfter = error.headers?.get('retry-after');
    return {
      body: {
        statusCode: 429,
        code: 'upstream_rate_limited',
        message: 'The model provider is rate limiting requests; try again shortly.',
      },
      headers: retryAfter ? { 'retry-after': retryAfter } : {},
      isServerFault: false,
    };
  }
  if (error.status === undefined || error.status >= 500) {
    return {
      body: {
        statusCode: 503,
        code: 'upstream_unavailable',
        message: 'The model provider is unavailable; try again shortly.',
      },
      headers: {},
      isServerFault: true,
    };
  }
  return {
    body: { statusCode: 502, code: 'upstream_error', message: 'The model provider rejected the request.' },
    headers: {},
    isServerFault: true,
  };
}
