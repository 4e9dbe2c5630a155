import type { Message, V1CreateMessage, v1ToolResourcesSchema } from '@threadline/shared';
import type { z } from 'zod';
import type { EngineKnowledge } from '../../engines/index.js';
import { AppError } from '../../http/index.js';
import { toChunking } from './knowledge-objects.js';
import type { WireEngine } from '../../engines/index.js';

type ToolResources = z.infer<typeof v1ToolResourcesSchema> | undefined;
type Attachments = V1CreateMessage['attachments'];

/** Stores made by helpers expire a week after last use, as OpenAI's did. */
const helperStoreExpiry = { anchor: 'last_active_at' as const, days: 7 };

async function assertFiles(knowledge: EngineKnowledge, fileIds: readonly string[]): Promise<void> {
  const records = await Promise.all(fileIds.map((fileId) => knowledge.fileRecord(fileId)));
  const missing = fileIds.find((_, index) => !records[index]);
  if (missing !== undefined) throw new AppError('not_found', 404, `No file found with id '${missing}'.`);
}

/**
 * The vector stores `tool_resources.file_search` names: `vector_store_ids` as given, plus one
 * store made from each `vector_stores` entry (its files attached and ingested, so a run can
 * search them at once). `undefined` when the request named none, so updates keep what was there.
 */
export async function vectorStoreIdsOf(
  engine: WireEngine,
  toolResources: ToolResources,
  recordOwner: (vectorStoreId: string) => Promise<void>,
): Promise<string[] | undefined> {
  const fileSearch = toolResources?.file_search;
  if (!fileSearch?.vector_store_ids && !fileSearch?.vector_stores) return undefined;
  const ids = [...(fileSearch.vector_store_ids ?? [])];
  await engine.assertVectorStores(ids);
  const { knowledge } = engine;
  for (const request of fileSearch.vector_stores ?? []) await assertFiles(knowledge, request.file_ids ?? []);
  for (const request of fileSearch.vector_stores ?? []) {
    const created = await knowledge.vectorStores.createWith({
      name: '',
      chunking: toChunking(request.chunking_strategy),
      metadata: request.metadata ?? {},
      expiresAfter: helperStoreExpiry,
    });
    // A store a helper makes belongs to whoever asked, like one made through /v1/vector_stores.
    await recordOwner(created.id);
    for (const fileId of new Set(request.file_ids ?? [])) await knowledge.attachFile(created.id, fileId);
    await knowledge.waitForIngestion(created.id);
    ids.push(created.id);
  }
  return ids;
}

/** Attachments as the message object carries them (`tools` always present). */
export function toMessageAttachments(attachments: Attachments): Message['attachments'] {
  return (attachments ?? []).map((attachment) => ({
    file_id: attachment.file_id,
    tools: attachment.tools ?? [],
  }));
}

const searchedFiles = (attachments: Attachments) =>
  (attachments ?? []).flatMap((attachment) =>
    attachment.tools?.some((tool) => tool.type === 'file_search') ? [attachment.file_id] : [],
  );

/** Refuses attachments naming files that do not exist, before anything is written. */
export async function assertAttachments(engine: WireEngine, attachments: Attachments): Promise<void> {
  await assertFiles(
    engine.knowledge,
    (attachments ?? []).map((attachment) => attachment.file_id),
  );
}

/**
 * Files attached for `file_search` go into the thread's vector store, which is created (and
 * named on the thread) when it has none, as OpenAI did. This returns once they are queued, not
 * ingested (a message waited behind every queued file before): the thread's next run waits,
 * `in_progress`, until its store's files are searchable, as OpenAI's does.
 */
export async function addAttachmentsToThread(
  engine: WireEngine,
  threadId: string,
  attachments: Attachments,
  recordOwner: (vectorStoreId: string) => Promise<void>,
): Promise<void> {
  const fileIds = [...new Set(searchedFiles(attachments))];
  if (fileIds.length === 0) return;
  const thread = await engine.getThread(threadId);
  if (!thread) throw new AppError('not_found', 404, `No thread found with id '${threadId}'.`);
  const { knowledge } = engine;
  let storeId = thread.tool_resources?.file_search?.vector_store_ids[0];
  if (storeId === undefined) {
    storeId = (await knowledge.vectorStores.createWith({ name: '', expiresAfter: helperStoreExpiry })).id;
    await recordOwner(storeId);
    await engine.updateThread(threadId, { vectorStoreIds: [storeId] });
  }
  for (const fileId of fileIds) {
    if (!(await knowledge.storeFileDetails(storeId, fileId)))
      await knowledge.attachFile(storeId, fileId, { isUrgent: true });
  }
}
