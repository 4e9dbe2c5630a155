import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import type { Engine } from '../engines/engine.js';

declare module 'fastify' {
  interface FastifyInstance {
    engine: Engine;
  }
}

/** Decorates the app with the configured engine (or an injected one) and closes it on shutdown. */
export const enginePlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: Config; engine?: Engine | undefined }) => {
    const engine = options.engine ?? (await createEngine(options.config));
    app.decorate('engine', engine);
    app.healthSources.engine = async () => ({ name: engine.name, ...(await engine.health()) });
    app.addHook('onClose', async () => {
      if (!options.engine) await engine.close();
    });
  },
  { name: 'threadline-engine' },
);

// OWNER: local engine helper (local) and adapters helper (openai, assistants).
async function createEngine(config: Config): Promise<Engine> {
  throw new Error(`engine "${config.ENGINE}" is not implemented yet`);
}
