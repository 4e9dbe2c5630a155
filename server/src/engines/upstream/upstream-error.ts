import { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { AppError } from '../../http/index.js';

/**
 * Turns an SDK failure into the AppError the client sees. Upstream messages are never passed
 * on: they can name keys, organisations or request ids. `setting` names the key to check.
 */
export function toUpstreamError(error: unknown, setting: string): unknown {
  if (error instanceof AppError || error instanceof APIUserAbortError || !(error instanceof APIError))
    return error;
  const status = upstreamStatus(error);
  if (status === undefined || status >= 500) {
    return new AppError(
      'upstream_unavailable',
      503,
      'The model provider is unavailable; try again shortly.',
      {
        cause: error,
      },
    );
  }
  if (status === 401 || status === 403) {
    return new AppError(
      'upstream_error',
      502,
      `The model provider refused Threadline's credentials; check ${setting}.`,
      {
        cause: error,
      },
    );
  }
  if (status === 429) {
    const retryAfter = retryAfterSeconds((error as APIError<number, Headers | undefined>).headers);
    return new AppError(
      'upstream_rate_limited',
      429,
      'The model provider is rate limiting requests; try again shortly.',
      { cause: error, ...(retryAfter === undefined ? {} : { headers: { 'retry-after': retryAfter } }) },
    );
  }
  if (status === 404)
    return new AppError('not_found', 404, 'The model provider has no such object.', { cause: error });
  return new AppError('upstream_error', 502, 'The model provider rejected the request.', { cause: error });
}

/** `retry-after` (seconds or an HTTP date) or OpenAI's `retry-after-ms`, as whole seconds. */
function retryAfterSeconds(headers: Headers | undefined): string | undefined {
  const milliseconds = Number(headers?.get('retry-after-ms') ?? Number.NaN);
  if (Number.isFinite(milliseconds) && milliseconds >= 0) return String(Math.ceil(milliseconds / 1000));
  const value = headers?.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return value;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : String(Math.max(0, Math.ceil((date - Date.now()) / 1000)));
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof APIUserAbortError || (error instanceof Error && error.name === 'AbortError');

/** The HTTP status the upstream answered with; undefined when it never answered. */
export function upstreamStatus(error: unknown): number | undefined {
  if (!(error instanceof APIError) || error instanceof APIConnectionError) return undefined;
  return (error as APIError<number | undefined>).status;
}

export function healthFailure(error: unknown): { reachable: false; detail: string } {
  const status = upstreamStatus(error);
  return { reachable: false, detail: status ? `the API answered ${status}` : 'the API is unreachable' };
}
