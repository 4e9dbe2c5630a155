import { AppError } from '../../../http/index.js';

export const missingObject = (what: string, id: string) =>
  new AppError('not_found', 404, `No ${what} found with id '${id}'.`);

/** Narrows a store lookup, answering 404 in the wording OpenAI uses for a missing object. */
export function foundOr404<T>(value: T | null, what: string, id: string): T {
  if (value === null) throw missingObject(what, id);
  return value;
}
