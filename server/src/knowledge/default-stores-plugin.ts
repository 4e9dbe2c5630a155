import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { createDefaultKnowledge, type DefaultKnowledge } from './default-stores.js';
import { localUserId } from '../common/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Each user's default knowledge base (see createDefaultKnowledge). */
    defaultKnowledge: DefaultKnowledge;
  }
}

/**
 * Per-user default knowledge bases. With auth off there is one user, known in advance: their copy
 * of the sample starts loading as soon as the server listens, so the first question of a fresh
 * install is answered from it. Other users get theirs on first use.
 */
export const defaultKnowledgePlugin = fastifyPlugin(
  async (app: FastifyInstance, { config }: { config: Config }) => {
    const defaults = createDefaultKnowledge({
      records: app.ownership.defaultStores,
      database: app.embeddedDatabase,
      mode: config.DEFAULT_KNOWLEDGE_BASE,
      knowledgeFor: (userId) => app.knowledgeFor(userId),
      onProvisionError: (userId, error) =>
        app.log.warn({ err: error, userId }, 'the sample knowledge base could not be loaded'),
    });
    app.decorate('defaultKnowledge', defaults);
    const isSingleUser = config.AUTH_TOKENS.size === 0 && !config.TRUSTED_PROXY_USER_HEADER;
    if (isSingleUser && config.DEFAULT_KNOWLEDGE_BASE === 'sample') {
      // Only a listening server (not a test's inject-only app) loads it unasked.
      app.addHook('onListen', async () => {
        void defaults.storeIds(localUserId);
      });
    }
  },
  { name: 'threadline-default-knowledge', dependencies: ['threadline-knowledge'] },
);
