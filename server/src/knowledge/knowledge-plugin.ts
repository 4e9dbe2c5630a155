import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import { createKnowledgeOwners, type KnowledgeOwners } from '../ownership/index.js';
import { ownedKnowledge, type OwnedKnowledge } from './owned-knowledge.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who owns each vector store and file. */
    knowledgeOwners: KnowledgeOwners;
    /** The engine's vector stores and files as one user sees them (see ownedKnowledge). */
    knowledgeFor(userId: string): OwnedKnowledge;
  }
}

/** The owner table, in the embedded database the persistence plugin opened (and closes). */
export const knowledgeOwnersPlugin = fastifyPlugin(
  async (app: FastifyInstance) => {
    const owners = createKnowledgeOwners(app.embeddedDatabase);
    app.decorate('knowledgeOwners', owners);
    app.decorate('knowledgeFor', (userId: string) => ownedKnowledge(app.engine, owners, userId));
  },
  { name: 'threadline-knowledge-owners', dependencies: ['threadline-persistence', 'threadline-engine'] },
);
