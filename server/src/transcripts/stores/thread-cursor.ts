import { z } from 'zod';
import { AppError } from '../../http/index.js';

/** Where a page of threads ended: the last thread's `updatedAt` and id (ties broken by id). */
export type ThreadCursor = { updatedAt: string; id: string };

const cursorSchema = z.object({ u: z.iso.datetime({ offset: true }), i: z.string().min(1).max(256) });

export function encodeThreadCursor(cursor: ThreadCursor): string {
  return Buffer.from(JSON.stringify({ u: cursor.updatedAt, i: cursor.id })).toString('base64url');
}

/** Opaque to clients; a cursor that was tampered with is a 400, not a 500. */
export function decodeThreadCursor(cursor: string): ThreadCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw new AppError('bad_request', 400, 'cursor is not valid', { cause: error });
  }
  const result = cursorSchema.safeParse(parsed);
  if (!result.success) throw new AppError('bad_request', 400, 'cursor is not valid');
  return { updatedAt: result.data.u, id: result.data.i };
}
