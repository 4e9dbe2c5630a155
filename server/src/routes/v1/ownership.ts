import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError } from '../../http/index.js';
import type { Ownership } from '../../ownership/index.js';
import { hiddenVectorStore } from '../../knowledge/index.js';
import { referencedKnowledge } from './referenced-knowledge.js';

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

const namedAssistant = z.looseObject({ assistant_id: z.string() });
const scopedParams = z.looseObject({
  thread_id: z.string().optional(),
  assistant_id: z.string().optional(),
  vector_store_id: z.string().optional(),
  file_id: z.string().optional(),
});

/**
 * Checks every route's path parameters (thread, assistant, vector store, file), the assistant a
 * run names and every store or file a body names against the caller, under the one ownership
 * rule, before any handler runs: someone else's id answers exactly as a missing one would.
 */
export function installOwnership(app: FastifyInstance, ownership: Ownership): void {
  app.addHook('preHandler', async (request) => {
    const { userId } = request;
    const parsed = scopedParams.safeParse(request.params);
    if (parsed.success) {
      const { thread_id: threadId, assistant_id: assistantId } = parsed.data;
      const { vector_store_id: vectorStoreId, file_id: fileId } = parsed.data;
      if (threadId !== undefined && !(await ownership.canSee('thread', threadId, userId))) {
        throw hiddenThread(threadId);
      }
      if (assistantId !== undefined && !(await ownership.canSee('assistant', assistantId, userId))) {
        throw hiddenAssistant(assistantId);
      }
      if (vectorStoreId !== undefined && !(await ownership.canSee('vector_store', vectorStoreId, userId))) {
        throw hiddenVectorStore(vectorStoreId);
      }
      // A store's files are its owner's; a bare file id is checked on its own.
      if (
        fileId !== undefined &&
        vectorStoreId === undefined &&
        !(await ownership.canSee('file', fileId, userId))
      ) {
        throw noSuchFile(fileId);
      }
    }
    if (request.body === undefined || request.body === null) return;
    const run = namedAssistant.safeParse(request.body);
    if (run.success && !(await ownership.canSee('assistant', run.data.assistant_id, userId))) {
      throw hiddenAssistant(run.data.assistant_id);
    }
    const { vectorStoreIds, fileIds } = referencedKnowledge(request.body);
    const stores = await ownership.visible('vector_store', vectorStoreIds, userId);
    const hiddenStoreId = vectorStoreIds.find((id) => !stores.includes(id));
    if (hiddenStoreId !== undefined) throw hiddenVectorStore(hiddenStoreId);
    const files = await ownership.visible('file', fileIds, userId);
    const hiddenFileId = fileIds.find((id) => !files.includes(id));
    if (hiddenFileId !== undefined) throw hiddenFile(hiddenFileId);
  });
}
