/**
 * Tiny observable values kept in localStorage (backend-independent preferences: theme, the
 * chosen vector store, the offline queue). Storage may be blocked; values then live in memory.
 */
export type LocalValue<Value> = {
  get: () => Value;
  set: (value: Value) => void;
  subscribe: (listener: () => void) => () => void;
};

const storage = (): Storage | null => {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
};

export function localValue<Value>(
  key: string,
  parse: (raw: string | null) => Value,
  serialise: (value: Value) => string | null = (value) => JSON.stringify(value),
): LocalValue<Value> {
  const listeners = new Set<() => void>();
  let cached: { raw: string | null; value: Value } | null = null;
  let memory: string | null = null;
  const read = () => {
    const raw = storage()?.getItem(key) ?? memory;
    // The same raw text must give the same object, or useSyncExternalStore re-renders forever.
    if (!cached || cached.raw !== raw) cached = { raw, value: parse(raw) };
    return cached.value;
  };
  return {
    get: read,
    set: (value) => {
      const raw = serialise(value);
      memory = raw;
      const store = storage();
      if (raw === null) store?.removeItem(key);
      else store?.setItem(key, raw);
      for (const listener of listeners) listener();
    },
    subscribe: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

/** Parses stored JSON without trusting it: anything unexpected gives the fallback. */
export function parseStoredJson<Value>(
  raw: string | null,
  check: (value: unknown) => Value | null,
  fallback: Value,
): Value {
  if (raw === null) return fallback;
  try {
    return check(JSON.parse(raw)) ?? fallback;
  } catch {
    return fallback;
  }
}
