import type { z } from 'zod';
import { ApiError, toApiError } from './api-error.js';

/**
 * fetch + status check + schema parse: every JSON answer is validated with the shared schemas,
 * so a server that changed shape fails loudly here instead of deep inside a component.
 */
export async function requestJson<Schema extends z.ZodType>(
  url: string,
  schema: Schema,
  init: RequestInit = {},
): Promise<z.infer<Schema>> {
  const response = await fetch(url, { ...init, headers: { accept: 'application/json', ...init.headers } });
  if (!response.ok) throw await toApiError(response);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new ApiError(
      `The server answered ${url} with an unexpected shape (${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}). Is the web app newer than the server?`,
      response.status,
      null,
    );
  }
  return parsed.data;
}

/** For requests whose answer has no body worth reading (DELETE → 204). */
export async function requestNoContent(url: string, init: RequestInit): Promise<void> {
  const response = await fetch(url, init);
  if (!response.ok) throw await toApiError(response);
}

export const jsonBody = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});
