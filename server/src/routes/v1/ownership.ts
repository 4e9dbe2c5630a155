import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import { localUserId } from '../../plugins/auth.js';
import type { V1Engine } from './v1-engine.js';

/**
 * Threads made through /v1 belong to the caller; the orchestrator's threads (no owner) only to
 * the single local user when auth is off. Someone else's thread answers like a missing one.
 */
export function canSeeThread(engine: V1Engine, threadId: string, userId: string): boolean {
  const owner = engine.store.threads.ownerOf(threadId);
  return owner === undefined || owner === userId || (owner === null && userId === localUserId);
}

/** The built-in assistant (no owner) is everyone's; others belong to whoever created them. */
export function canSeeAssistant(engine: V1Engine, assistantId: string, userId: string): boolean {
  const owner = engine.store.assistants.ownerOf(assistantId);
  return owner === undefined || owner === null || owner === userId;
}

export const hiddenThread = (threadId: string) =>
  new AppError('not_found', 404, `No thread found with id '${threadId}'.`);
export const hiddenAssistant = (assistantId: string) =>
  new AppError('not_found', 404, `No assistant found with id '${assistantId}'.`);

const scopedParams = z.looseObject({ thread_id: z.string().optional(), assistant_id: z.string().optional() });

/** Checks every route's `thread_id` / `assistant_id` path parameter against the caller. */
export function installOwnership(app: FastifyInstance, engine: V1Engine): void {
  app.addHook('preHandler', async (request) => {
    const parsed = scopedParams.safeParse(request.params);
    if (!parsed.success) return;
    const { thread_id: threadId, assistant_id: assistantId } = parsed.data;
    if (threadId !== undefined && !canSeeThread(engine, threadId, request.userId))
      throw hiddenThread(threadId);
    if (assistantId !== undefined && !canSeeAssistant(engine, assistantId, request.userId)) {
      throw hiddenAssistant(assistantId);
    }
  });
}
