import {
  v1CreateAssistantSchema,
  v1IdSchema,
  v1ListQuerySchema,
  v1UpdateAssistantSchema,
  type Assistant,
} from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../http/index.js';
import { listEnvelope } from '../../engines/index.js';
import { toPageQuery } from './list-envelope.js';
import { vectorStoreIdsOf } from './tool-resources.js';
import type { V1Options } from './v1-engine.js';

const params = z.object({ assistant_id: v1IdSchema });

/** `/v1/assistants`: create, list, get, update, delete. */
export const v1AssistantRoutes: FastifyPluginAsyncZod<V1Options> = async (app, { engine }) => {
  const ownedBy = (userId: string) => (vectorStoreId: string) =>
    app.ownership.record('vector_store', vectorStoreId, userId);
  app.post('/assistants', { schema: { body: v1CreateAssistantSchema } }, async (request) => {
    const body = request.body;
    const vectorStoreIds =
      (await vectorStoreIdsOf(engine, body.tool_resources, ownedBy(request.userId))) ?? [];
    const assistant = await engine.createAssistant(
      {
        model: body.model,
        name: body.name,
        description: body.description,
        instructions: body.instructions,
        tools: body.tools,
        vectorStoreIds,
        metadata: body.metadata,
        temperature: body.temperature,
        top_p: body.top_p,
      },
      request.userId,
    );
    await app.ownership.record('assistant', assistant.id, request.userId);
    return assistant;
  });

  app.get('/assistants', { schema: { querystring: v1ListQuerySchema } }, async (request) =>
    listEnvelope(await engine.listAssistants(toPageQuery(request.query), request.userId)),
  );

  app.get('/assistants/:assistant_id', { schema: { params } }, async (request) =>
    engine.getAssistant(request.params.assistant_id),
  );

  app.post(
    '/assistants/:assistant_id',
    { schema: { params, body: v1UpdateAssistantSchema } },
    async (request) => {
      const body = request.body;
      const changes: Partial<Assistant> = {};
      if (body.model !== undefined) changes.model = body.model;
      if (body.name !== undefined) changes.name = body.name;
      if (body.description !== undefined) changes.description = body.description;
      if (body.instructions !== undefined) changes.instructions = body.instructions;
      if (body.tools !== undefined) changes.tools = body.tools;
      if (body.metadata !== undefined) changes.metadata = body.metadata ?? {};
      if (body.temperature !== undefined) changes.temperature = body.temperature;
      if (body.top_p !== undefined) changes.top_p = body.top_p;
      const vectorStoreIds = await vectorStoreIdsOf(engine, body.tool_resources, ownedBy(request.userId));
      if (vectorStoreIds) {
        changes.tool_resources = { file_search: { vector_store_ids: vectorStoreIds } };
      }
      return engine.updateAssistant(request.params.assistant_id, changes);
    },
  );

  app.delete('/assistants/:assistant_id', { schema: { params } }, async (request) => {
    const id = request.params.assistant_id;
    if (!(await engine.deleteAssistant(id)))
      throw new AppError('not_found', 404, `No assistant found with id '${id}'.`);
    await app.ownership.forget('assistant', id);
    return { id, object: 'assistant.deleted' as const, deleted: true };
  });
};
