import { healthSchema, type Health } from '@threadline/shared';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { version } from '../../version.js';

const startedAt = Date.now();

/** Health sources other plugins register; absent ones report as unreachable. */
export type HealthSource = {
  engine?: () => Promise<Health['engine']>;
  store?: () => Promise<Health['store']>;
  queue?: () => Health['queue'];
};

declare module 'fastify' {
  interface FastifyInstance {
    healthSources: HealthSource;
  }
}

export const healthRoutes: FastifyPluginAsyncZod<{ engineName: string }> = async (app, options) => {
  app.get(
    '/health',
    {
      schema: {
        tags: ['health'],
        summary: 'Engine, store and write-queue status',
        response: { 200: healthSchema, 503: healthSchema },
      },
    },
    async (_request, reply) => {
      const sources = app.healthSources;
      const [engine, store] = await Promise.all([
        sources.engine?.().catch((error: unknown) => ({
          name: options.engineName,
          reachable: false,
          detail: String(error),
        })) ??
          Promise.resolve({ name: options.engineName, reachable: false, detail: 'engine not registered' }),
        sources.store?.().catch(() => ({ kind: 'sqlite' as const, reachable: false })) ??
          Promise.resolve({ kind: 'sqlite' as const, reachable: false }),
      ]);
      const queue = sources.queue?.() ?? {
        depth: 0,
        outbox: 0,
        oldestPendingAgeMs: null,
        lastError: null,
        dead: 0,
      };
      const isHealthy = engine.reachable && store.reachable;
      const body: Health = {
        status: isHealthy ? 'ok' : 'degraded',
        version,
        uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
        engine,
        store,
        queue,
      };
      // Degraded still answers 200: the process is up and serving; callers read `status`.
      return reply.code(200).send(body);
    },
  );
};
