import type { V1Error } from '@threadline/shared';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { ParamError, paramErrorOf } from '../../../responses/index.js';
import { toOpenAiError } from '../../../http/index.js';

type Validation = {
  keyword: string;
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
};

/** The part of the request a validation error is about, to tell a missing parameter from a bad one. */
const partOf = (request: FastifyRequest, context: unknown): unknown =>
  context === 'querystring' ? request.query : context === 'params' ? request.params : request.body;

/** A schema error as the service's own: OpenAI's parameter name, wording and code. */
function fromValidation(error: unknown, request: FastifyRequest): ParamError | null {
  if (!hasZodFastifySchemaValidationErrors(error)) return null;
  const first = (error.validation as Validation[])[0];
  if (!first) return null;
  const path = first.instancePath
    .split('/')
    .filter(Boolean)
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
  const context = (error as { validationContext?: string }).validationContext;
  return paramErrorOf(
    { code: first.keyword, path, message: first.message ?? 'is invalid', details: first.params ?? {} },
    partOf(request, context),
  );
}

/**
 * Errors of the Responses and Conversations routes in OpenAI's shape with `param` and `code`
 * (`unknown_parameter`, `missing_required_parameter`, `invalid_value`, `conversation_locked`, …);
 * anything else as the rest of /v1 answers it.
 */
export function installResponseErrors(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const known = error instanceof ParamError ? error : fromValidation(error, request);
    if (reply.sent || reply.raw.headersSent) {
      if (!known) request.log.error({ err: error }, 'v1 responses request failed after its stream began');
      return;
    }
    if (known) {
      const body: V1Error = {
        error: {
          message: known.message,
          type: 'invalid_request_error',
          param: known.param,
          code: known.openAiCode,
        },
      };
      void reply.code(known.statusCode).send(body);
      return;
    }
    const mapped = toOpenAiError(error);
    if (mapped.isServerFault) request.log.error({ err: error }, 'v1 responses request failed');
    void reply.code(mapped.statusCode).headers(mapped.headers).send(mapped.body);
  });
}
