import { AppError } from '../../../http/errors/app-error.js';

export const notFound = (what: string, id: string) =>
  new AppError('not_found', 404, `No ${what} found with id '${id}'.`);

/** Narrows a store lookup, answering 404 in the wording OpenAI uses for a missing object. */
export function foundOr404<T>(value: T | null, what: string, id: string): T {
  if (value === null) throw notFound(what, id);
  return value;
}
