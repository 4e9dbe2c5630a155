import type { FastifyPluginAsync } from 'fastify';
import { ConversationService, ResponseService, ResponseStore } from '../../../responses/index.js';
import { threadOwnerKey } from '../../../ownership/index.js';
import { pumpV1Run } from '../sse-reply.js';
import type { WireEngine } from '../../../engines/index.js';
import { forgetV1Thread, recordV1Messages } from '../v1-history.js';
import { v1ConversationRoutes } from './conversation-routes.js';
import { installResponseErrors } from './response-errors.js';
import { v1ResponseRoutes } from './response-routes.js';

/**
 * OpenAI's Responses and Conversations APIs under /v1, over the local engine's threads and runs.
 * Registered inside the /v1 context (its auth, ownership checks and not-found answer apply), with
 * an error handler of its own that names the parameter at fault and a code, as OpenAI does.
 */
export const v1ResponsesApi: FastifyPluginAsync<{ engine: WireEngine; heartbeatMs: number }> = async (
  app,
  { engine, heartbeatMs },
) => {
  installResponseErrors(app);
  const store = new ResponseStore(engine.database);
  const shared = {
    engine,
    canSeeThread: (threadId: string, userId: string) => app.ownership.canSee('thread', threadId, userId),
    recordMessages: recordV1Messages.bind(null, app),
    attributesOf: (vectorStoreIds: string[], fileId: string) =>
      engine.knowledge.attributesOf(vectorStoreIds, fileId),
  };
  const responses = new ResponseService({
    ...shared,
    store,
    pump: (run) => {
      pumpV1Run(app, run);
    },
  });
  const conversations = new ConversationService({
    ...shared,
    forgetThread: (threadId, userId) => forgetV1Thread(app, threadId, userId),
    ownerMetadataKey: threadOwnerKey,
  });
  await app.register(v1ResponseRoutes, { service: responses, heartbeatMs });
  await app.register(v1ConversationRoutes, { service: conversations });
};
