import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../errors/app-error.js';
import type { KnowledgeOwners } from '../../ownership/knowledge-owners.js';
import { hiddenVectorStore } from '../../ownership/owned-knowledge.js';
import { localUserId } from '../../plugins/auth.js';
import { threadOwnerKey } from '../legacy/legacy-routes.js';
import { referencedKnowledge } from './referenced-knowledge.js';
import type { V1Engine } from './v1-engine.js';

/**
 * Threads made through /v1 belong to the caller; the orchestrator's threads (no owner) to the
 * user the chat or legacy route made them for (their `userId` metadata), so a thread started in
 * the web app can be continued through /v1, and otherwise only to the single local user when
 * auth is off. Someone else's thread answers like a missing one.
 */
export function canSeeThread(engine: V1Engine, threadId: string, userId: string): boolean {
  const owner = engine.store.threads.ownerOf(threadId);
  if (owner === undefined || owner === userId) return true;
  if (owner !== null) return false;
  const madeFor = engine.store.threads.get(threadId)?.metadata?.[threadOwnerKey];
  return madeFor === undefined ? userId === localUserId : madeFor === userId;
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
/** `/v1/files/:file_id` wording for a missing file. */
export const noSuchFile = (fileId: string) =>
  new AppError('not_found', 404, `No such File object: ${fileId}`);
/** The wording for a missing file named in a body (attach, batch, new store). */
export const hiddenFile = (fileId: string) =>
  new AppError('not_found', 404, `No file found with id '${fileId}'.`);

const scopedParams = z.looseObject({
  thread_id: z.string().optional(),
  assistant_id: z.string().optional(),
  vector_store_id: z.string().optional(),
  file_id: z.string().optional(),
});

/**
 * Checks every route's path parameters (thread, assistant, vector store, file) and every store or
 * file a body names against the caller, before any handler runs: someone else's id answers
 * exactly as a missing one would.
 */
export function installOwnership(app: FastifyInstance, engine: V1Engine, owners: KnowledgeOwners): void {
  app.addHook('preHandler', async (request) => {
    const { userId } = request;
    const parsed = scopedParams.safeParse(request.params);
    if (parsed.success) {
      const { thread_id: threadId, assistant_id: assistantId } = parsed.data;
      const { vector_store_id: vectorStoreId, file_id: fileId } = parsed.data;
      if (threadId !== undefined && !canSeeThread(engine, threadId, userId)) throw hiddenThread(threadId);
      if (assistantId !== undefined && !canSeeAssistant(engine, assistantId, userId)) {
        throw hiddenAssistant(assistantId);
      }
      if (vectorStoreId !== undefined && !owners.canSee('vector_store', vectorStoreId, userId)) {
        throw hiddenVectorStore(vectorStoreId);
      }
      // A store's files are its owner's; a bare file id is checked on its own.
      if (fileId !== undefined && vectorStoreId === undefined && !owners.canSee('file', fileId, userId)) {
        throw noSuchFile(fileId);
      }
    }
    if (request.body === undefined || request.body === null) return;
    const { vectorStoreIds, fileIds } = referencedKnowledge(request.body);
    const hiddenStoreId = vectorStoreIds.find((id) => !owners.canSee('vector_store', id, userId));
    if (hiddenStoreId !== undefined) throw hiddenVectorStore(hiddenStoreId);
    const hiddenFileId = fileIds.find((id) => !owners.canSee('file', id, userId));
    if (hiddenFileId !== undefined) throw hiddenFile(hiddenFileId);
  });
}
