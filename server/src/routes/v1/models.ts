import { z } from 'zod';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AppError } from '../../http/index.js';
import type { V1Options } from './v1-engine.js';

const created = Math.floor(Date.parse('2026-09-01T00:00:00Z') / 1000);

/** `GET /v1/models`: the engine's answerers. */
export const v1ModelRoutes: FastifyPluginAsyncZod<V1Options> = async (app, { engine }) => {
  const models = async () =>
    (await engine.listModels()).map((model) => ({
      id: model.id,
      object: 'model' as const,
      created,
      owned_by: model.ownedBy,
      // Threadline's addition to OpenAI's model object: a front instance (ENGINE=assistants)
      // picks a model that writes answers by it rather than by a name.
      ...(model.answerKind ? { answer_kind: model.answerKind } : {}),
    }));

  app.get('/models', async () => ({ object: 'list' as const, data: await models() }));

  app.get(
    '/models/:model',
    { schema: { params: z.object({ model: z.string().min(1).max(256) }) } },
    async (request) => {
      const model = (await models()).find((candidate) => candidate.id === request.params.model);
      if (!model) throw new AppError('not_found', 404, `The model '${request.params.model}' does not exist`);
      return model;
    },
  );
};
