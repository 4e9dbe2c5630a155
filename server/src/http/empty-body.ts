import type { FastifyInstance } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { ZodType } from 'zod';

/**
 * An empty body means "no parameters": openai-python and openai-node 4.x send
 * `Content-Type: application/json` with nothing after it on deletes and run cancels, and some
 * clients create threads with no body at all. The JSON parser reads an empty body as none
 * (anything else goes to Fastify's own parser, prototype-poisoning checks included), and a
 * missing body is validated as `{}`: optional bodies pass, required ones fail on the missing
 * fields by name rather than on "body".
 */
export function installEmptyBodyHandling(app: FastifyInstance): void {
  parseAsJsonOrNothing(app, 'application/json');
  app.setValidatorCompiler<ZodType>((routeSchema) => {
    const validate = validatorCompiler(routeSchema);
    // Fastify hands a validator `null` when there was no body.
    return routeSchema.httpPart === 'body' ? (data: unknown) => validate(data ?? {}) : validate;
  });
}

/**
 * Replaces the parser of `contentType` (in `app`'s scope) with Fastify's JSON parser, except that
 * an empty body is no body.
 */
export function parseAsJsonOrNothing(app: FastifyInstance, contentType: string): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser(contentType);
  app.addContentTypeParser(contentType, { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') done(null, undefined);
    else void parseJson(request, text, done);
  });
}
