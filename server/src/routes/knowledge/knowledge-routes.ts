import multipart from '@fastify/multipart';
import {
  acceptedFileExtensions,
  apiPaths,
  createVectorStoreRequestSchema,
  knowledgeFileInfoSchema,
  knowledgeFileListSchema,
  knowledgeFileSchema,
  searchRequestSchema,
  searchResponseSchema,
  vectorStoreListSchema,
  vectorStoreSummarySchema,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Config } from '../../config.js';
import type { VectorStoreApi } from '../../engines/index.js';
import { notFound, errorResponses } from '../../http/index.js';
import { readUploads } from './read-uploads.js';
import { defaultKnowledgeRoutes } from './default-stores-routes.js';
import { fileViewRoutes } from './file-view-routes.js';
import { sampleKnowledgeRoutes } from './sample-routes.js';

const errors = errorResponses(400, 401, 404, 413, 415);
const storeParams = z.object({ vectorStoreId: z.string().min(1).max(200) });
const fileParams = storeParams.extend({ fileId: z.string().min(1).max(200) });
const tags = ['knowledge'];

/**
 * Threadline's own knowledge-base API: vector stores, their files (multipart upload of
 * md/txt/html/pdf/docx), and a search endpoint for debugging retrieval. Works with any engine.
 */
export const knowledgeRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  await app.register(multipart, {
    limits: { fileSize: config.MAX_UPLOAD_BYTES, files: 100, fields: 10, parts: 110 },
  });

  app.get(
    apiPaths.vectorStores,
    { schema: { tags, summary: 'List vector stores', response: { 200: vectorStoreListSchema, ...errors } } },
    async (request) => ({ data: await app.knowledgeFor(request.userId).vectorStores.list() }),
  );

  app.post(
    apiPaths.vectorStores,
    {
      schema: {
        tags,
        summary: 'Create a vector store',
        body: createVectorStoreRequestSchema,
        response: { 201: vectorStoreSummarySchema, ...errors },
      },
    },
    async (request, reply) => {
      const store = await app
        .knowledgeFor(request.userId)
        .vectorStores.create({ name: request.body.name.trim() });
      return reply.code(201).send(store);
    },
  );

  app.get(
    '/knowledge/vector-stores/:vectorStoreId',
    {
      schema: {
        tags,
        summary: 'Get a vector store',
        params: storeParams,
        response: { 200: vectorStoreSummarySchema, ...errors },
      },
    },
    async (request) =>
      (await app.knowledgeFor(request.userId).vectorStores.get(request.params.vectorStoreId)) ??
      Promise.reject(notFound('vector store')),
  );

  app.delete(
    '/knowledge/vector-stores/:vectorStoreId',
    {
      schema: {
        tags,
        summary: 'Delete a vector store and its chunks',
        params: storeParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      if (!(await app.knowledgeFor(request.userId).vectorStores.delete(request.params.vectorStoreId)))
        throw notFound('vector store');
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/knowledge/vector-stores/:vectorStoreId/files',
    {
      schema: {
        tags,
        summary: 'List files with their ingestion status',
        params: storeParams,
        response: { 200: knowledgeFileListSchema, ...errors },
      },
    },
    async (request) => {
      const { vectorStores } = app.knowledgeFor(request.userId);
      await requireStore(vectorStores, request.params.vectorStoreId);
      return { data: await vectorStores.listFiles(request.params.vectorStoreId) };
    },
  );

  app.post(
    '/knowledge/vector-stores/:vectorStoreId/files',
    {
      schema: {
        tags,
        summary: `Upload one or several files (multipart field "file"; ${acceptedFileExtensions.join(', ')})`,
        consumes: ['multipart/form-data'],
        params: storeParams,
        response: { 202: knowledgeFileListSchema, ...errors },
      },
    },
    async (request, reply) => {
      const { vectorStores } = app.knowledgeFor(request.userId);
      await requireStore(vectorStores, request.params.vectorStoreId);
      const uploads = await readUploads(request, config.MAX_UPLOAD_BYTES);
      const data = [];
      for (const upload of uploads)
        data.push(await vectorStores.addFile(request.params.vectorStoreId, upload));
      return reply.code(202).send({ data });
    },
  );

  app.get(
    '/knowledge/vector-stores/:vectorStoreId/files/:fileId',
    {
      schema: {
        tags,
        summary: 'Get a file and its ingestion status',
        params: fileParams,
        response: { 200: knowledgeFileSchema, ...errors },
      },
    },
    async (request) =>
      (await app
        .knowledgeFor(request.userId)
        .vectorStores.getFile(request.params.vectorStoreId, request.params.fileId)) ??
      Promise.reject(notFound('file')),
  );

  app.delete(
    '/knowledge/vector-stores/:vectorStoreId/files/:fileId',
    {
      schema: {
        tags,
        summary: 'Remove a file, its chunks and its stored bytes',
        params: fileParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (request, reply) => {
      const { vectorStoreId, fileId } = request.params;
      const knowledge = app.knowledgeFor(request.userId);
      if (!(await knowledge.vectorStores.removeFile(vectorStoreId, fileId))) throw notFound('file');
      // Files uploaded here belong to this store; drop the stored bytes too.
      await knowledge.files.delete(fileId);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/knowledge/vector-stores/:vectorStoreId/search',
    {
      schema: {
        tags,
        summary: 'Search a vector store (hits carry keyword and vector ranks, for debugging retrieval)',
        params: storeParams,
        body: searchRequestSchema,
        response: { 200: searchResponseSchema, ...errors },
      },
    },
    async (request) => {
      const { vectorStores } = app.knowledgeFor(request.userId);
      await requireStore(vectorStores, request.params.vectorStoreId);
      const started = performance.now();
      const data = await vectorStores.search([request.params.vectorStoreId], request.body);
      return { data, tookMs: Math.round((performance.now() - started) * 1000) / 1000 };
    },
  );

  app.get(
    '/knowledge/files/:fileId',
    {
      schema: {
        tags,
        summary: 'Get a stored file',
        params: z.object({ fileId: z.string().min(1).max(200) }),
        response: { 200: knowledgeFileInfoSchema, ...errors },
      },
    },
    async (request) => {
      const file = await app.knowledgeFor(request.userId).files.get(request.params.fileId);
      if (!file) throw notFound('file');
      return { id: file.id, fileName: file.fileName, bytes: file.bytes, createdAt: file.createdAt };
    },
  );

  await app.register(sampleKnowledgeRoutes);
  await app.register(defaultKnowledgeRoutes, { config });
  await app.register(fileViewRoutes);

  async function requireStore(vectorStores: VectorStoreApi, vectorStoreId: string): Promise<void> {
    if (!(await vectorStores.get(vectorStoreId))) throw notFound('vector store');
  }
};
