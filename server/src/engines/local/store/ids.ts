import { randomBytes } from 'node:crypto';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** OpenAI-looking ids (`thread_…`, `run_…`): a prefix and 24 random base62 characters. */
export function newId(prefix: 'asst' | 'thread' | 'msg' | 'run' | 'step' | 'call'): string {
  const bytes = randomBytes(24);
  let suffix = '';
  for (const byte of bytes) suffix += alphabet[byte % alphabet.length] ?? 'A';
  return `${prefix}_${suffix}`;
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);
