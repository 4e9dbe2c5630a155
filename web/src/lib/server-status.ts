import { healthSchema, type Health } from '@threadline/shared';
import { useEffect, useSyncExternalStore } from 'react';
import { endpoints } from '../config/api.js';
import { requestJson } from './http.js';

export type ServerStatus = {
  state: 'checking' | 'reachable' | 'unreachable';
  health: Health | null;
  checkedAt: number | null;
};

let status: ServerStatus = { state: 'checking', health: null, checkedAt: null };
const listeners = new Set<() => void>();
let timer: ReturnType<typeof setTimeout> | null = null;
let inFlight: Promise<void> | null = null;
let users = 0;

const publish = (next: ServerStatus) => {
  status = next;
  for (const listener of listeners) listener();
};

const schedule = () => {
  if (timer) clearTimeout(timer);
  if (users === 0) return;
  // Poll often while down so queued questions go out soon after the server returns.
  timer = setTimeout(() => void checkServer(), status.state === 'reachable' ? 30_000 : 4_000);
};

async function probe(): Promise<void> {
  try {
    if (typeof navigator !== 'undefined' && navigator.onLine === false) throw new TypeError('offline');
    const health = await requestJson(endpoints().health(), healthSchema, {
      signal: AbortSignal.timeout(5000),
    });
    publish({ state: 'reachable', health, checkedAt: Date.now() });
  } catch {
    publish({ state: 'unreachable', health: null, checkedAt: Date.now() });
  }
}

/** Asks /health now; concurrent callers share one request. */
export function checkServer(): Promise<void> {
  // `.finally` runs after the assignment even when the probe settles synchronously (offline):
  // clearing `inFlight` inside the probe itself would be overwritten by the `??=` and leave a
  // settled promise there for good, so the app would never check again after starting offline.
  inFlight ??= probe().finally(() => {
    inFlight = null;
    schedule();
  });
  return inFlight;
}

const onNetworkChange = () => void checkServer();

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether the Threadline server answers, re-checked on a timer and on online/offline events. */
export function useServerStatus(): ServerStatus {
  useEffect(() => {
    users += 1;
    if (users === 1) {
      window.addEventListener('online', onNetworkChange);
      window.addEventListener('offline', onNetworkChange);
      void checkServer();
    }
    return () => {
      users -= 1;
      if (users === 0) {
        window.removeEventListener('online', onNetworkChange);
        window.removeEventListener('offline', onNetworkChange);
        if (timer) clearTimeout(timer);
      }
    };
  }, []);
  return useSyncExternalStore(
    subscribe,
    () => status,
    () => status,
  );
}
