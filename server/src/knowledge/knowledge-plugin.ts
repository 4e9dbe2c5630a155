import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { ownedKnowledge, type OwnedKnowledge } from './owned-knowledge.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The engine's vector stores and files as one user sees them (see ownedKnowledge). */
    knowledgeFor: (userId: string) => OwnedKnowledge;
  }
}

/** Each user's view of the engine's knowledge, under the one ownership rule (`app.ownership`). */
export const knowledgePlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    app.decorate('knowledgeFor', (userId: string) => ownedKnowledge(app.engine, app.ownership, userId));
  },
  { name: 'threadline-knowledge', dependencies: ['threadline-engine', 'threadline-ownership'] },
);
