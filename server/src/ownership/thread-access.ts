import type { Thread } from '@threadline/shared';
import type { Engine } from '../engines/index.js';
import { notFound } from '../http/index.js';
import type { Ownership } from './ownership-rule.js';

/** Thread metadata key naming the user who created it (/chat/stream and the legacy routes set it). */
export const threadOwnerKey = 'userId';

/**
 * The engine's thread, if `userId` may see it (the one rule). Someone else's thread answers
 * exactly like a missing one (404), so ids cannot be probed.
 */
export async function findOwnedThread(
  app: { engine: Pick<Engine, 'getThread'>; ownership: Pick<Ownership, 'canSee'> },
  threadId: string,
  userId: string,
): Promise<Thread> {
  if (!(await app.ownership.canSee('thread', threadId, userId))) throw notFound('Thread');
  const thread = await app.engine.getThread(threadId);
  if (!thread) throw notFound('Thread');
  return thread;
}
