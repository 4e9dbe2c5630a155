import type { ErrorCode } from '@threadline/shared';

export type ErrorIssue = { path: string; message: string };

/** The one error type routes and plugins throw; the error handler turns it into the error shape. */
export class AppError extends Error {
  override readonly name = 'AppError';
  readonly issues: ErrorIssue[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    readonly code: ErrorCode,
    readonly statusCode: number,
    message: string,
    options: { cause?: unknown; issues?: ErrorIssue[]; headers?: Record<string, string> } = {},
  ) {
    super(message, { cause: options.cause });
    this.issues = options.issues;
    this.headers = options.headers;
  }
}

export const notFound = (what: string) => new AppError('not_found', 404, `${what} was not found`);
