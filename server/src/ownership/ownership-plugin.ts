import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { wireEngineOf } from '../engines/index.js';
import { mirroredRecords } from './mirrored-records.js';
import { createMongoRecords } from './mongo-owners.js';
import { recordsScope, type SharedRecords } from './owner-records.js';
import { createOwnership, type Ownership } from './ownership-rule.js';
import { createRedisRecords } from './redis-owners.js';
import { createSqliteRecords, legacyKnowledgeOwner } from './sqlite-owners.js';
import { threadOwnerKey } from './thread-access.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Who owns what: the one rule every door asks (see createOwnership). */
    ownership: Ownership;
  }
}

/** Owners known outside this feature, read lazily for threads made before owners were recorded. */
export type ThreadOwnerSources = {
  /** The thread's owner in the conversation history (transcripts). */
  inHistory: (threadId: string) => Promise<string | null>;
  /** Who started the thread's latest run, while its run log is kept (a run is its thread's). */
  ofLatestRun: (threadId: string) => Promise<string | undefined>;
};

/**
 * The owner records where every instance sees them — MongoDB when MONGODB_URI is set, else Redis
 * when REDIS_URL is set, else the embedded database — under the engine's identity, and the rule
 * over them (`app.ownership`). Logs where they are kept at start.
 */
export const ownershipPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: Config; threads: ThreadOwnerSources }) => {
    const { config } = options;
    const { engine } = app;
    const scope = recordsScope(engine.identity);
    // MongoDB through this instance's copy, so chats go on while it is down (as transcripts do);
    // Redis directly: while it is away the instances cannot coordinate runs either (fail closed).
    const records: SharedRecords = config.MONGODB_URI
      ? mirroredRecords(
          await createMongoRecords({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB, scope }),
          app.embeddedDatabase,
          scope,
          { onRetryError: (error) => app.log.warn({ err: error }, 'ownership: MongoDB still unavailable') },
        )
      : config.REDIS_URL
        ? await createRedisRecords(config.REDIS_URL, scope, app.log)
        : createSqliteRecords(app.embeddedDatabase, scope);
    const wire = wireEngineOf(engine);
    const knowledgeOwner = legacyKnowledgeOwner(app.embeddedDatabase);
    const ownership = createOwnership(records, {
      // Cheapest first; the engine's own thread may be a round trip upstream.
      thread: [
        options.threads.inHistory,
        (id) => wire?.threadOwner(id),
        async (id) => (await engine.getThread(id))?.metadata?.[threadOwnerKey],
        options.threads.ofLatestRun,
      ],
      assistant: [(id) => wire?.assistantOwner(id)],
      vector_store: [(id) => knowledgeOwner('vector_store', id)],
      file: [(id) => knowledgeOwner('file', id)],
    });
    app.decorate('ownership', ownership);
    // The shared engine database keeps each row's owner and enforces it (row-level security):
    // rows written before that (or copied by migrate:engine) get theirs from these records now.
    const adopted = await wire?.knowledge.adoptOwners?.((kind, id) => ownership.ownerOf(kind, id));
    if (adopted) app.log.info({ adopted }, 'engine database: gave owners to stores and files made before');
    // Said when it matters: several instances share them (the embedded default is this one's).
    if (records.home !== 'sqlite')
      app.log.info(
        { engine: engine.identity, scope },
        `owners and default stores are kept in ${records.home}`,
      );
    app.addHook('onClose', () => records.close());
  },
  { name: 'threadline-ownership', dependencies: ['threadline-persistence', 'threadline-engine'] },
);
