import { errorBodySchema, type ErrorBody } from '@threadline/shared';

/** A failed request, carrying the server's error body when it sent one, and advice for the user. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    message: string,
    readonly status: number,
    readonly body: ErrorBody | null,
  ) {
    super(message);
  }

  get code(): string | null {
    return this.body?.code ?? null;
  }
}

const adviceByStatus = (status: number): string => {
  if (status === 401 || status === 403) return 'Check the access token configured for this server.';
  if (status === 404) return 'It may have been deleted; refresh the page.';
  if (status === 409) return 'Another answer is still running on this thread; wait a moment and retry.';
  if (status === 413) return 'The file or message is too large.';
  if (status === 429) return 'Too many requests: wait a few seconds and retry.';
  if (status >= 500) return 'The server had a problem; retry, and check its log if it persists.';
  return 'Check the input and retry.';
};

/** Builds an ApiError from a non-2xx response, parsing (never trusting) the error body. */
export async function toApiError(response: Response): Promise<ApiError> {
  let body: ErrorBody | null = null;
  try {
    const parsed = errorBodySchema.safeParse(await response.json());
    if (parsed.success) body = parsed.data;
  } catch {
    // not JSON: the status alone has to do
  }
  const detail = body?.issues?.map((issue) => `${issue.path}: ${issue.message}`).join('; ');
  const message = body
    ? `${body.message}${detail ? ` (${detail})` : ''}`
    : `The server answered ${response.status} ${response.statusText}`.trim();
  return new ApiError(`${message}. ${adviceByStatus(response.status)}`, response.status, body);
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof DOMException
    ? error.name === 'AbortError'
    : error instanceof Error && error.name === 'AbortError';

/** Readable text for any failure, for showing to people. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return 'The server is unreachable. Check that it is running, then retry.';
  return error instanceof Error ? error.message : String(error);
}
