import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { StreamDrain } from './stream-drain.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every stream in flight (chat, legacy NDJSON, /v1 SSE). On shutdown they get the grace
     * period, then are cancelled, so the HTTP server can close and the database after it.
     */
    streamDrain: StreamDrain;
  }
}

export const streamDrainPlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: Config }) => {
    const drain = new StreamDrain();
    app.decorate('streamDrain', drain);
    app.addHook('preClose', async () => drain.drain(options.config.SHUTDOWN_GRACE_MS));
  },
  { name: 'threadline-stream-drain' },
);
