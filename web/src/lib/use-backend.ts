import { useSyncExternalStore } from 'react';
import { onBackendChange, selectedBackend, type BackendType } from '../config/api.js';

const subscribe = (listener: () => void) => onBackendChange(listener);

/** The backend picked with the header switch (or the configured default). */
export function useBackend(): BackendType {
  return useSyncExternalStore(
    subscribe,
    () => selectedBackend(),
    () => selectedBackend(),
  );
}
