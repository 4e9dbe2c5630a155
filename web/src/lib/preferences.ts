import { useSyncExternalStore } from 'react';
import { z } from 'zod';
import { localValue, parseStoredJson, type LocalValue } from './local-store.js';

export const themeChoices = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof themeChoices)[number];
const themeSchema = z.enum(themeChoices);

export const themePreference = localValue<ThemeChoice>(
  'threadline.theme',
  (raw) => themeSchema.safeParse(raw).data ?? 'system',
  (value) => value,
);

/** The vector store the Knowledge page shows (chat searches the server-side default instead). */
export const vectorStorePreference = localValue<string | null>(
  'threadline.vectorStoreId',
  (raw) => (raw && /^[\w-]{1,128}$/.test(raw) ? raw : null),
  (value) => value,
);

/** The thread on screen, so a reload without a URL hash still reopens it. */
export const threadPreference = localValue<string | null>(
  'threadline.threadId',
  (raw) => (raw && /^[\w-]{1,128}$/.test(raw) ? raw : null),
  (value) => value,
);

/** Send a spoken question as soon as it is transcribed, instead of putting it in the box to edit. */
export const sendSpokenAtOncePreference = localValue<boolean>(
  'threadline.sendSpokenAtOnce',
  (raw) => raw === 'true',
  (value) => String(value),
);

export function useLocalValue<Value>(value: LocalValue<Value>): Value {
  return useSyncExternalStore(value.subscribe, value.get, value.get);
}

export { parseStoredJson };
