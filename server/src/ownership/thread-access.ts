import type { Thread } from '@threadline/shared';
import type { Engine } from '../engines/index.js';
import { notFound } from '../http/index.js';

/** Thread metadata key naming the user who created it (/chat/stream and the legacy routes set it). */
export const threadOwnerKey = 'userId';

/**
 * The engine's thread, if it belongs to `userId`. Someone else's thread answers exactly like a
 * missing one (404), so ids cannot be probed.
 */
export async function findOwnedThread(
  app: {
    engine: Pick<Engine, 'getThread'>;
    recorder: { findThreadOwner(threadId: string): Promise<string | null> };
  },
  threadId: string,
  userId: string,
): Promise<Thread> {
  const owner = await app.recorder.findThreadOwner(threadId);
  if (owner !== userId) throw notFound('Thread');
  const thread = await app.engine.getThread(threadId);
  if (!thread) throw notFound('Thread');
  return thread;
}
