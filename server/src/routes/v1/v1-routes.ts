import type { FastifyPluginAsync } from 'fastify';
import { wireEngineOf } from '../../engines/index.js';
import { v1AssistantRoutes } from './assistants.js';
import { v1AudioRoutes } from './audio.js';
import { v1FileRoutes } from './files.js';
import { v1MessageRoutes } from './messages.js';
import { v1ModelRoutes } from './models.js';
import { installOpenAiErrors } from '../../http/index.js';
import { installOwnership } from './ownership.js';
import { v1RunRoutes } from './runs.js';
import { v1ThreadRoutes } from './threads.js';
import { v1ResponsesApi } from './responses/index.js';
import { v1VectorStoreRoutes } from './vector-stores.js';

/**
 * The OpenAI Assistants wire API over the local engine, so `openai` SDK code works by changing
 * `baseURL`. Errors use OpenAI's shape (its own encapsulated handlers). Register with prefix `/v1`.
 */
export const v1Routes: FastifyPluginAsync<{ heartbeatMs: number }> = async (app, { heartbeatMs }) => {
  const engine = wireEngineOf(app.engine);
  if (!engine) {
    installOpenAiErrors(
      app,
      `The /v1 API is served by the local engine; this server runs "${app.engine.name}".`,
    );
    // Speech does not need the local engine.
    await app.register(v1AudioRoutes);
    return;
  }
  installOpenAiErrors(app);
  const options = { engine, heartbeatMs };
  const { ownership } = app;
  installOwnership(app, ownership);
  await app.register(v1ModelRoutes, options);
  await app.register(v1AssistantRoutes, options);
  await app.register(v1ThreadRoutes, options);
  await app.register(v1MessageRoutes, options);
  await app.register(v1RunRoutes, options);
  await app.register(v1FileRoutes, { knowledge: options.engine.knowledge, ownership });
  await app.register(v1VectorStoreRoutes, { knowledge: options.engine.knowledge, ownership });
  await app.register(v1ResponsesApi, options);
  await app.register(v1AudioRoutes);
};
