import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { openDatabase, type SqliteDatabase } from '../sqlite/index.js';
import type { Engine } from './engine.js';
import { createKnowledgeBase, createPostgresKnowledgeBase } from './local/index.js';
import { LocalEngine, openSharedEngineState } from './local/index.js';
import { AssistantsEngine } from './assistants/index.js';
import { OpenAIEngine } from './openai/index.js';

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
    if (engine instanceof AssistantsEngine) sayWhichAssistant(app, engine);
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
      const sharedState = config.ENGINE_DATABASE_URL
        ? await openSharedEngineState(config.ENGINE_DATABASE_URL)
        : undefined;
      // With a shared database, the knowledge base is shared too: every instance an engine node.
      const knowledge = config.ENGINE_DATABASE_URL
        ? await createPostgresKnowledgeBase({
            connectionString: config.ENGINE_DATABASE_URL,
            dataDir: config.DATA_DIR,
            config,
            logger,
          }).catch(async (error: unknown) => {
            await sharedState?.close();
            throw error;
          })
        : createKnowledgeBase({ database, dataDir: config.DATA_DIR, config, logger });
      const ownsDatabase = !sharedDatabase;
      return new LocalEngine({ database, knowledge, config, ownsDatabase, logger, sharedState });
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
        assistantModel: config.ASSISTANTS_MODEL,
        model: config.OPENAI_MODEL,
        maxNumResults: config.RETRIEVAL_MAX_RESULTS,
        scoreThreshold: config.RETRIEVAL_SCORE_THRESHOLD,
      });
  }
}

/**
 * Once listening, a front instance (ENGINE=assistants) says which assistant and model answer: the
 * assistant is found or made then rather than on the first question, and an engine node that
 * only quotes (no model that writes) is a warning. Only a listening server asks (not a test's
 * inject-only app); a server that cannot be reached yet is asked again on the first run.
 */
function sayWhichAssistant(app: FastifyInstance, engine: AssistantsEngine): void {
  app.addHook('onListen', async () => {
    void engine.assistant().then(
      ({ id, model, reason }) => {
        const details = { assistantId: id, model, reason, engine: engine.identity };
        if (reason === 'no model writes answers')
          app.log.warn(details, `answers come from ${model}: the engine lists no model that writes answers`);
        else app.log.info(details, `answers come from ${model} (assistant ${id})`);
      },
      (error: unknown) =>
        app.log.warn({ err: error }, 'the assistant could not be settled yet; the first run tries again'),
    );
  });
}
