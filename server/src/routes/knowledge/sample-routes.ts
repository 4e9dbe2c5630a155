import { apiPaths, errorBodySchema, sampleKnowledgeBaseSchema } from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { loadSampleKnowledgeBase } from '../../knowledge/index.js';

/**
 * `POST /knowledge/sample`: a ready-made knowledge base over Threadline's own docs, so a new
 * install has something to ask about. Idempotent: reuses the store and skips files already in it.
 */
export const sampleKnowledgeRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    apiPaths.sampleKnowledgeBase,
    {
      schema: {
        tags: ['knowledge'],
        summary: 'Create (or reuse) a vector store over Threadline’s own documentation',
        response: { 200: sampleKnowledgeBaseSchema, 401: errorBodySchema },
      },
    },
    // Per user: each gets their own copy, like anything else they create.
    async (request) => loadSampleKnowledgeBase(app.knowledgeFor(request.userId).vectorStores),
  );
};
