import { AsyncLocalStorage } from 'node:async_hooks';
import { localUserId } from './local-user.js';

const acting = new AsyncLocalStorage<string>();

/**
 * `work` (and everything it starts: a run's stream, its searches) acting for `userId`. The auth
 * hook runs every request's handler this way, so the engine's shared database can scope each
 * transaction to the user without every call passing an owner down (postgres/ reads it).
 */
export function actAs<T>(userId: string, work: () => T): T {
  return acting.run(userId, work);
}

/**
 * The user the current work acts for; outside any request (start-up, scripts, the auth-off single
 * user) the local user, who owns what was made before owners were recorded.
 */
export function actingUserId(): string {
  return acting.getStore() ?? localUserId;
}
