import {
  v1CreateFileBatchSchema,
  v1CreateVectorStoreFileSchema,
  v1CreateVectorStoreSchema,
  v1DeletedSchema,
  v1FileBatchSchema,
  v1IdSchema,
  v1ListQuerySchema,
  v1UpdateVectorStoreSchema,
  v1VectorStoreFileListQuerySchema,
  v1VectorStoreFileSchema,
  v1VectorStoreSchema,
  v1VectorStoreSearchResultsSchema,
  v1VectorStoreSearchSchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { EngineKnowledge } from '../../engines/index.js';
import { AppError } from '../../http/index.js';
import {
  knowledgeFrom,
  paginate,
  pollHeader,
  toV1FileBatch,
  toV1VectorStore,
  toChunking,
  toV1VectorStoreFile,
  type V1KnowledgeOptions,
} from './knowledge-objects.js';

const storeParams = z.object({ vector_store_id: v1IdSchema });
const fileParams = storeParams.extend({ file_id: v1IdSchema });
const batchParams = storeParams.extend({ batch_id: v1IdSchema });
const listOf = <T extends z.ZodType>(item: T) =>
  z.object({
    object: z.literal('list'),
    data: z.array(item),
    first_id: z.string().nullable(),
    last_id: z.string().nullable(),
    has_more: z.boolean(),
  });

/**
 * `/v1/vector_stores`: stores, their files, file batches and search, in OpenAI's shapes, over
 * the local knowledge base.
 */
export const v1VectorStoreRoutes: FastifyPluginAsyncZod<V1KnowledgeOptions> = async (app, options) => {
  const knowledge = knowledgeFrom(options);
  const { ownership } = options;

  const vectorStoreObject = async (vectorStoreId: string) => {
    const [record, summary] = await Promise.all([
      knowledge.vectorStoreRecord(vectorStoreId),
      knowledge.vectorStoreSummary(vectorStoreId),
    ]);
    if (!record || !summary)
      throw new AppError('not_found', 404, `No vector store found with id '${vectorStoreId}'.`);
    return toV1VectorStore(record, summary);
  };
  const storeFileObject = async (vectorStoreId: string, fileId: string) => {
    await vectorStoreObject(vectorStoreId);
    const file = await knowledge.storeFileDetails(vectorStoreId, fileId);
    if (!file)
      throw new AppError(
        'not_found',
        404,
        `No file found with id '${fileId}' in vector store '${vectorStoreId}'.`,
      );
    return toV1VectorStoreFile(file);
  };

  app.post(
    '/vector_stores',
    { schema: { body: v1CreateVectorStoreSchema, response: { 200: v1VectorStoreSchema } } },
    async (request) => {
      const body = request.body;
      const fileIds = body.file_ids ?? [];
      const records = await Promise.all(fileIds.map((fileId) => knowledge.fileRecord(fileId)));
      const missing = fileIds.find((_, index) => !records[index]);
      if (missing !== undefined) throw new AppError('not_found', 404, `No file found with id '${missing}'.`);
      const created = await knowledge.vectorStores.createWith({
        name: body.name ?? '',
        chunking: toChunking(body.chunking_strategy),
        metadata: body.metadata ?? {},
        expiresAfter: body.expires_after ?? null,
      });
      await ownership.record('vector_store', created.id, request.userId);
      for (const fileId of new Set(body.file_ids ?? [])) await knowledge.attachFile(created.id, fileId);
      return vectorStoreObject(created.id);
    },
  );

  app.get(
    '/vector_stores',
    { schema: { querystring: v1ListQuerySchema, response: { 200: listOf(v1VectorStoreSchema) } } },
    async (request) =>
      paginate(
        await Promise.all(
          (await ownership.visible('vector_store', await knowledge.listVectorStoreIds(), request.userId)).map(
            vectorStoreObject,
          ),
        ),
        request.query,
      ),
  );

  app.get(
    '/vector_stores/:vector_store_id',
    { schema: { params: storeParams, response: { 200: v1VectorStoreSchema } } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      return vectorStoreObject(request.params.vector_store_id);
    },
  );

  app.post(
    '/vector_stores/:vector_store_id',
    {
      schema: {
        params: storeParams,
        body: v1UpdateVectorStoreSchema,
        response: { 200: v1VectorStoreSchema },
      },
    },
    async (request) => {
      const id = request.params.vector_store_id;
      await vectorStoreObject(id);
      const { name, metadata, expires_after: expiresAfter } = request.body;
      await knowledge.updateVectorStore(id, {
        ...(typeof name === 'string' ? { name } : {}),
        ...(metadata !== undefined ? { metadata: metadata ?? {} } : {}),
        ...(expiresAfter !== undefined ? { expiresAfter } : {}),
      });
      return vectorStoreObject(id);
    },
  );

  app.delete(
    '/vector_stores/:vector_store_id',
    { schema: { params: storeParams, response: { 200: v1DeletedSchema } } },
    async (request) => {
      const id = request.params.vector_store_id;
      if (!(await knowledge.vectorStores.delete(id)))
        throw new AppError('not_found', 404, `No vector store found with id '${id}'.`);
      await ownership.forget('vector_store', id);
      return { id, object: 'vector_store.deleted', deleted: true };
    },
  );

  app.post(
    '/vector_stores/:vector_store_id/files',
    {
      schema: {
        params: storeParams,
        body: v1CreateVectorStoreFileSchema,
        response: { 200: v1VectorStoreFileSchema },
      },
    },
    async (request, reply) => {
      void reply.headers(pollHeader);
      const id = request.params.vector_store_id;
      await vectorStoreObject(id);
      const { file_id: fileId, chunking_strategy: chunking, attributes } = request.body;
      await knowledge.attachFile(id, fileId, { chunking: toChunking(chunking), attributes });
      return storeFileObject(id, fileId);
    },
  );

  app.get(
    '/vector_stores/:vector_store_id/files',
    {
      schema: {
        params: storeParams,
        querystring: v1VectorStoreFileListQuerySchema,
        response: { 200: listOf(v1VectorStoreFileSchema) },
      },
    },
    async (request) => {
      const id = request.params.vector_store_id;
      await vectorStoreObject(id);
      const { filter, ...query } = request.query;
      return paginate(
        (await filesOf(knowledge, id)).filter((file) => filter === undefined || file.status === filter),
        query,
      );
    },
  );

  app.get(
    '/vector_stores/:vector_store_id/files/:file_id',
    { schema: { params: fileParams, response: { 200: v1VectorStoreFileSchema } } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      return storeFileObject(request.params.vector_store_id, request.params.file_id);
    },
  );

  app.delete(
    '/vector_stores/:vector_store_id/files/:file_id',
    { schema: { params: fileParams, response: { 200: v1DeletedSchema } } },
    async (request) => {
      const { vector_store_id: id, file_id: fileId } = request.params;
      await storeFileObject(id, fileId);
      await knowledge.vectorStores.removeFile(id, fileId);
      return { id: fileId, object: 'vector_store.file.deleted', deleted: true };
    },
  );

  app.post(
    '/vector_stores/:vector_store_id/file_batches',
    { schema: { params: storeParams, body: v1CreateFileBatchSchema, response: { 200: v1FileBatchSchema } } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      const id = request.params.vector_store_id;
      await vectorStoreObject(id);
      const { file_ids: fileIds, files, chunking_strategy: chunking, attributes } = request.body;
      const batch = await knowledge.createFileBatch(
        id,
        files?.map((file) => ({
          fileId: file.file_id,
          chunking: toChunking(file.chunking_strategy ?? chunking),
          attributes: file.attributes ?? attributes ?? undefined,
        })) ??
          (fileIds ?? []).map((fileId) => ({
            fileId,
            chunking: toChunking(chunking),
            attributes: attributes ?? undefined,
          })),
      );
      return toV1FileBatch(batch, await batchFiles(knowledge, id, batch.fileIds));
    },
  );

  const batchObject = async (vectorStoreId: string, batchId: string) => {
    await vectorStoreObject(vectorStoreId);
    const batch = await knowledge.fileBatch(vectorStoreId, batchId);
    if (!batch) throw new AppError('not_found', 404, `No file batch found with id '${batchId}'.`);
    return { batch, files: await batchFiles(knowledge, vectorStoreId, batch.fileIds) };
  };

  app.get(
    '/vector_stores/:vector_store_id/file_batches/:batch_id',
    { schema: { params: batchParams, response: { 200: v1FileBatchSchema } } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      const { batch, files } = await batchObject(request.params.vector_store_id, request.params.batch_id);
      return toV1FileBatch(batch, files);
    },
  );

  app.post(
    '/vector_stores/:vector_store_id/file_batches/:batch_id/cancel',
    { schema: { params: batchParams, response: { 200: v1FileBatchSchema } } },
    async (request, reply) => {
      void reply.headers(pollHeader);
      // Ingestion is local and quick; a cancel reports the batch as it stands.
      const { batch, files } = await batchObject(request.params.vector_store_id, request.params.batch_id);
      return toV1FileBatch(batch, files);
    },
  );

  app.get(
    '/vector_stores/:vector_store_id/file_batches/:batch_id/files',
    {
      schema: {
        params: batchParams,
        querystring: v1VectorStoreFileListQuerySchema,
        response: { 200: listOf(v1VectorStoreFileSchema) },
      },
    },
    async (request) => {
      const { files } = await batchObject(request.params.vector_store_id, request.params.batch_id);
      const { filter, ...query } = request.query;
      return paginate(
        files.map(toV1VectorStoreFile).filter((file) => filter === undefined || file.status === filter),
        query,
      );
    },
  );

  app.post(
    '/vector_stores/:vector_store_id/search',
    {
      schema: {
        params: storeParams,
        body: v1VectorStoreSearchSchema,
        response: { 200: v1VectorStoreSearchResultsSchema },
      },
    },
    async (request) => {
      const id = request.params.vector_store_id;
      await vectorStoreObject(id);
      const body = request.body;
      const queries = typeof body.query === 'string' ? [body.query] : body.query;
      const results = await knowledge.searchDetailed([id], {
        query: queries.join('\n'),
        maxNumResults: body.max_num_results ?? 10,
        scoreThreshold: body.ranking_options?.score_threshold,
      });
      return {
        object: 'vector_store.search_results.page' as const,
        search_query: queries,
        data: results.map((result) => ({
          file_id: result.fileId,
          filename: result.fileName,
          score: result.score,
          attributes: knowledge.attributesOf([id], result.fileId) ?? {},
          content: [{ type: 'text' as const, text: result.text }],
        })),
        has_more: false,
        next_page: null,
      };
    },
  );
};

const filesOf = async (knowledge: EngineKnowledge, vectorStoreId: string) =>
  (
    await batchFiles(
      knowledge,
      vectorStoreId,
      (await knowledge.listStoreFiles(vectorStoreId)).map((file) => file.id),
    )
  ).map(toV1VectorStoreFile);

const batchFiles = async (knowledge: EngineKnowledge, vectorStoreId: string, fileIds: readonly string[]) =>
  (await Promise.all(fileIds.map((fileId) => knowledge.storeFileDetails(vectorStoreId, fileId)))).flatMap(
    (details) => (details ? [details] : []),
  );
