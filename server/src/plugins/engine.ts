import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { openDatabase, type SqliteDatabase } from '../db/database.js';
import type { Engine } from '../engines/engine.js';
import { createKnowledgeBase } from '../engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../engines/local/local-engine.js';
import { AssistantsEngine } from '../engines/assistants/assistants-engine.js';
import { OpenAIEngine } from '../engines/openai/openai-engine.js';

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine;
  }
}

/** Decorates the app with the configured engine (or an injected one) and closes it on shutdown. */
export const enginePlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: Config; engine?: Engine | undefined }) => {
    const shared = app.hasDecorator('embeddedDatabase') ? app.embeddedDatabase : undefined;
    const engine = options.engine ?? (await createEngine(options.config, shared, app.log));
    app.decorate('engine', engine);
    app.healthSources.engine = async () => ({ name: engine.name, ...(await engine.health()) });
    app.addHook('onClose', async () => {
      if (!options.engine) await engine.close();
    });
  },
  { name: 'threadline-engine' },
);

/**
 * Builds the configured engine. `local` uses the app's connection to the embedded database when
 * there is one (the persistence plugin's, which closes it), else opens and owns its own.
 */
async function createEngine(
  config: Config,
  sharedDatabase: SqliteDatabase | undefined,
  logger: FastifyBaseLogger,
): Promise<Engine> {
  switch (config.ENGINE) {
    case 'local': {
      const database = sharedDatabase ?? openDatabase(config.DATA_DIR);
      const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, logger });
      return new LocalEngine({ database, knowledge, config, ownsDatabase: !sharedDatabase, logger });
    }
    // [engine openai] OWNER: adapters helper.
    case 'openai':
      return new OpenAIEngine({
        apiKey: config.OPENAI_API_KEY ?? '',
        baseURL: config.OPENAI_BASE_URL,
        model: config.OPENAI_MODEL,
        maxNumResults: config.RETRIEVAL_MAX_RESULTS,
        scoreThreshold: config.RETRIEVAL_SCORE_THRESHOLD,
      });
    // [engine assistants] OWNER: adapters helper.
    case 'assistants':
      return new AssistantsEngine({
        baseURL: config.ASSISTANTS_BASE_URL ?? '',
        apiKey: config.ASSISTANTS_API_KEY,
        assistantId: config.ASSISTANTS_ASSISTANT_ID,
        model: config.OPENAI_MODEL,
        maxNumResults: config.RETRIEVAL_MAX_RESULTS,
        scoreThreshold: config.RETRIEVAL_SCORE_THRESHOLD,
      });
  }
}
