import type { KnowledgeFile, SearchHit, VectorStoreSummary } from '@threadline/shared';
import type OpenAI from 'openai';
import { toFile } from 'openai';
import type { FileObject } from 'openai/resources/files';
import type { VectorStore } from 'openai/resources/vector-stores/vector-stores';
import type { VectorStoreFile } from 'openai/resources/vector-stores/files';
import type { FileApi, StoredFile, VectorStoreApi } from '../engine.js';
import { toUpstreamError } from './upstream-error.js';

/**
 * Vector stores and files over the OpenAI API shape; shared by the openai and assistants
 * engines because both speak `/vector_stores` and `/files` the same way.
 */

const isoSeconds = (seconds: number) => new Date(seconds * 1000).toISOString();

export type Upstream = <T>(operation: () => Promise<T>) => Promise<T>;

/** Wraps SDK calls so failures become AppErrors naming `setting`. */
export const upstreamCaller =
  (setting: string): Upstream =>
  async (operation) => {
    try {
      return await operation();
    } catch (error) {
      throw toUpstreamError(error, setting);
    }
  };

/** Runs `operation`, answering `fallback` when the object does not exist (404). */
async function unlessMissing<T, F>(
  upstream: Upstream,
  operation: () => Promise<T>,
  fallback: F,
): Promise<T | F> {
  try {
    return await upstream(operation);
  } catch (error) {
    if (error instanceof Error && 'statusCode' in error && error.statusCode === 404) return fallback;
    throw error;
  }
}

export function toVectorStoreSummary(store: VectorStore): VectorStoreSummary {
  const counts = store.file_counts;
  return {
    id: store.id,
    name: store.name,
    createdAt: isoSeconds(store.created_at),
    fileCounts: {
      in_progress: counts.in_progress,
      completed: counts.completed,
      failed: counts.failed,
      cancelled: counts.cancelled,
      total: counts.total,
    },
    usageBytes: store.usage_bytes,
  };
}

const toStoredFile = (file: FileObject): StoredFile => ({
  id: file.id,
  fileName: file.filename,
  bytes: file.bytes,
  createdAt: isoSeconds(file.created_at),
});

export function openAIVectorStoreApi(client: OpenAI, upstream: Upstream): VectorStoreApi {
  const names = new Map<string, StoredFile>();
  const describe = async (fileId: string): Promise<StoredFile | null> => {
    const known = names.get(fileId);
    if (known) return known;
    const file = await unlessMissing(upstream, () => client.files.retrieve(fileId), null);
    if (file) names.set(fileId, toStoredFile(file));
    return file ? toStoredFile(file) : null;
  };
  const toKnowledgeFile = async (file: VectorStoreFile): Promise<KnowledgeFile> => {
    const stored = await describe(file.id);
    return {
      id: file.id,
      vectorStoreId: file.vector_store_id,
      fileName: stored?.fileName ?? file.id,
      bytes: stored?.bytes ?? file.usage_bytes,
      status: file.status,
      lastError: file.last_error ? { code: file.last_error.code, message: file.last_error.message } : null,
      // OpenAI does not report chunk counts.
      chunkCount: 0,
      createdAt: isoSeconds(file.created_at),
    };
  };

  return {
    create: async ({ name }) =>
      toVectorStoreSummary(await upstream(() => client.vectorStores.create({ name }))),
    list: async () => {
      const stores: VectorStoreSummary[] = [];
      for await (const store of await upstream(async () => client.vectorStores.list({ limit: 100 })))
        stores.push(toVectorStoreSummary(store));
      return stores;
    },
    get: async (vectorStoreId) => {
      const store = await unlessMissing(upstream, () => client.vectorStores.retrieve(vectorStoreId), null);
      return store ? toVectorStoreSummary(store) : null;
    },
    delete: async (vectorStoreId) =>
      unlessMissing(upstream, async () => (await client.vectorStores.delete(vectorStoreId)).deleted, false),
    addFile: async (vectorStoreId, file) => {
      const uploaded = await upstream(async () =>
        client.files.create({
          file: await toFile(
            file.bytes,
            file.fileName,
            file.contentType ? { type: file.contentType } : undefined,
          ),
          purpose: 'assistants',
        }),
      );
      names.set(uploaded.id, toStoredFile(uploaded));
      return toKnowledgeFile(
        await upstream(() => client.vectorStores.files.create(vectorStoreId, { file_id: uploaded.id })),
      );
    },
    listFiles: async (vectorStoreId) => {
      const files: VectorStoreFile[] = [];
      for await (const file of await upstream(async () =>
        client.vectorStores.files.list(vectorStoreId, { limit: 100 }),
      ))
        files.push(file);
      return Promise.all(files.map(toKnowledgeFile));
    },
    getFile: async (vectorStoreId, fileId) => {
      const file = await unlessMissing(
        upstream,
        () => client.vectorStores.files.retrieve(fileId, { vector_store_id: vectorStoreId }),
        null,
      );
      return file ? toKnowledgeFile(file) : null;
    },
    removeFile: async (vectorStoreId, fileId) =>
      unlessMissing(
        upstream,
        async () =>
          (await client.vectorStores.files.delete(fileId, { vector_store_id: vectorStoreId })).deleted,
        false,
      ),
    search: async (vectorStoreIds, request) => {
      const perStore = await Promise.all(
        vectorStoreIds.map((vectorStoreId) =>
          upstream(async () => {
            const page = await client.vectorStores.search(vectorStoreId, {
              query: request.query,
              max_num_results: request.maxNumResults,
              ...(request.scoreThreshold === undefined
                ? {}
                : { ranking_options: { score_threshold: request.scoreThreshold } }),
            });
            return page.data;
          }),
        ),
      );
      return perStore
        .flatMap((results) =>
          results.map((result, position): SearchHit => ({
            fileId: result.file_id,
            fileName: result.filename,
            chunkId: `${result.file_id}:${position}`,
            score: result.score,
            text: result.content.map((part) => part.text).join('\n'),
            keywordRank: null,
            vectorRank: null,
          })),
        )
        .sort((left, right) => right.score - left.score)
        .slice(0, request.maxNumResults);
    },
  };
}

export function openAIFileApi(client: OpenAI, upstream: Upstream): FileApi {
  return {
    list: async () => {
      const files: StoredFile[] = [];
      for await (const file of await upstream(async () =>
        client.files.list({ purpose: 'assistants', limit: 100 }),
      ))
        files.push(toStoredFile(file));
      return files;
    },
    get: async (fileId) => {
      const file = await unlessMissing(upstream, () => client.files.retrieve(fileId), null);
      return file ? toStoredFile(file) : null;
    },
    content: async (fileId) =>
      unlessMissing(
        upstream,
        async () => Buffer.from(await (await client.files.content(fileId)).arrayBuffer()),
        null,
      ),
    delete: async (fileId) =>
      unlessMissing(upstream, async () => (await client.files.delete(fileId)).deleted, false),
  };
}
