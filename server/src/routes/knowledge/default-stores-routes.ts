import {
  acceptedFileExtensions,
  apiPaths,
  defaultKnowledgeBaseSchema,
  errorBodySchema,
  knowledgeLimitsSchema,
  setDefaultKnowledgeBaseRequestSchema,
} from '@threadline/shared';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { Config } from '../../config.js';
import { errorResponses } from '../../http/index.js';

const tags = ['knowledge'];
const errors = errorResponses(400, 401, 404);

/**
 * The caller's default knowledge base (what a conversation that names no stores searches), and the
 * limits a client checks before uploading.
 */
export const defaultKnowledgeRoutes: FastifyPluginAsyncZod<{ config: Config }> = async (app, { config }) => {
  const described = async (request: FastifyRequest, ids: string[]) => {
    const { vectorStores } = app.knowledgeFor(request.userId);
    const stores = await Promise.all(ids.map((id) => vectorStores.get(id)));
    return { vectorStores: stores.filter((store) => store !== null) };
  };

  app.get(
    apiPaths.defaultKnowledgeBase,
    {
      schema: {
        tags,
        summary: "The caller's default knowledge base",
        description:
          'The vector stores a conversation searches when it names none. The first time a user asks, it is their own copy of the sample documentation (unless `DEFAULT_KNOWLEDGE_BASE=none`).',
        response: { 200: defaultKnowledgeBaseSchema, ...errors },
      },
    },
    async (request) => described(request, await app.defaultKnowledge.storeIds(request.userId)),
  );

  app.put(
    apiPaths.defaultKnowledgeBase,
    {
      schema: {
        tags,
        summary: "Change the caller's default knowledge base",
        description: 'Every id must be one of the caller’s vector stores; an empty list means none.',
        body: setDefaultKnowledgeBaseRequestSchema,
        response: { 200: defaultKnowledgeBaseSchema, ...errors },
      },
    },
    async (request) =>
      described(request, await app.defaultKnowledge.set(request.userId, request.body.vectorStoreIds)),
  );

  app.get(
    apiPaths.knowledgeLimits,
    {
      schema: {
        tags,
        summary: 'Upload limits: the largest file and the accepted types',
        response: { 200: knowledgeLimitsSchema, 401: errorBodySchema },
      },
    },
    async () => ({
      maxUploadBytes: config.MAX_UPLOAD_BYTES,
      acceptedFileExtensions: [...acceptedFileExtensions],
    }),
  );
};
