import cors from '@fastify/cors';
import sensible from '@fastify/sensible';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DestinationStream } from 'pino';
import { serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Config } from './config.js';
import { chatPlugin } from './conversations/index.js';
import { enginePlugin, type Engine } from './engines/index.js';
import {
  authPlugin,
  defaultWebDistDir,
  frameworkErrors,
  installEmptyBodyHandling,
  installErrorHandling,
  loggerOptions,
  openApiTransform,
  rateLimitPlugin,
  refuseLongPathSegments,
  refuseWhileClosing,
  registerWebApp,
  RequestLogController,
  securityHeadersPlugin,
} from './http/index.js';
import { defaultKnowledgePlugin, knowledgePlugin } from './knowledge/index.js';
import { ownershipPlugin } from './ownership/index.js';
import { chatRoutes } from './routes/chat/index.js';
import { healthRoutes } from './routes/health/index.js';
import { knowledgeRoutes } from './routes/knowledge/index.js';
import { legacyRoutes } from './routes/legacy/index.js';
import { threadRoutes, threadRunRoutes } from './routes/threads/index.js';
import { v1Routes } from './routes/v1/index.js';
import { runLogsPlugin, streamDrainPlugin } from './run-logs/index.js';
import { speechPlugin } from './speech/index.js';
import { persistencePlugin, type TranscriptStore } from './transcripts/index.js';
import { version } from './version.js';

/** Components a test or embedding program may hand in instead of the ones config would build. */
export type AppOverrides = {
  logger?: boolean;
  /** An engine built elsewhere (e.g. a test's); the app does not close it. */
  engine?: Engine;
  /** A transcript store built elsewhere (tests, benchmarks); the app does not close it. */
  transcriptStore?: TranscriptStore;
  /** Where log lines go instead of standard output (tests, benchmarks). */
  logStream?: DestinationStream;
};

/**
 * Builds the whole application without listening, so tests call `app.inject()` on the real
 * thing. Order: external plugins → app plugins → routes.
 */
export async function buildApp(config: Config, overrides: AppOverrides = {}): Promise<FastifyInstance> {
  const logger = overrides.logger === false ? false : (loggerOptions(config, overrides.logStream) ?? false);
  const app = Fastify({
    logger,
    logController: new RequestLogController(),
    bodyLimit: 1024 * 1024,
    // Streams may run long. On close, idle keep-alive sockets are dropped (Fastify's default)
    // while streams in flight drain (see the chat routes' preClose hook).
    requestTimeout: 0,
    // New requests during close get 503 in the one error shape (refuseWhileClosing), not Fastify's.
    return503OnClosing: false,
    frameworkErrors,
    // Fastify's plugin timeout also bounds each close hook: the stream drain (grace period, then
    // up to 5 s for cancelled streams to settle) and the writer's flush (another grace period).
    pluginTimeout: Math.max(10_000, 2 * config.SHUTDOWN_GRACE_MS + 15_000),
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>() as unknown as FastifyInstance;

  app.setSerializerCompiler(serializerCompiler);
  installEmptyBodyHandling(app);
  installErrorHandling(app);
  refuseWhileClosing(app);
  refuseLongPathSegments(app);

  await app.register(sensible);
  // Without configured origins there is nothing for CORS to allow: no hook on every request then
  // (preflights are unknown routes, 404).
  if (config.CORS_ORIGINS.length > 0)
    await app.register(cors, {
      origin: config.CORS_ORIGINS,
      credentials: true,
      exposedHeaders: ['retry-after', 'x-thread-id'],
    });
  await app.register(securityHeadersPlugin, {
    helmet: {
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'", "'unsafe-inline'"],
          imgSrc: ["'self'", 'data:', 'blob:'],
          // Read aloud plays the server's speech from a blob: URL.
          mediaSrc: ["'self'", 'blob:'],
          connectSrc: ["'self'", ...config.CORS_ORIGINS],
          fontSrc: ["'self'", 'data:'],
          manifestSrc: ["'self'"],
          workerSrc: ["'self'"],
          objectSrc: ["'none'"],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: null,
        },
      },
      crossOriginEmbedderPolicy: false,
    },
  });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Threadline API',
        version,
        description: 'Knowledge-base chat: threads, runs with file search, streamed as Server-Sent Events.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    },
    transform: openApiTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  app.decorate('healthSources', {});
  await app.register(authPlugin, { config });
  await app.register(rateLimitPlugin, { config });

  // --- app plugins: store + background writer, engine ---
  await app.register(persistencePlugin, { config, store: overrides.transcriptStore });
  // [persistence plugin]
  await app.register(enginePlugin, { config, engine: overrides.engine });
  // [engine plugin]
  // Threads made before owners were recorded: their owner as the history or a run log knows it.
  await app.register(ownershipPlugin, {
    config,
    threads: {
      inHistory: (threadId) => app.recorder.findThreadOwner(threadId),
      ofLatestRun: (threadId) => app.runLogs.ownerOf(threadId),
    },
  });
  await app.register(knowledgePlugin);
  await app.register(defaultKnowledgePlugin, { config });
  await app.register(streamDrainPlugin, { config });
  await app.register(runLogsPlugin, { config });
  await app.register(chatPlugin, { config });
  await app.register(speechPlugin, { config });

  // --- routes ---
  await app.register(healthRoutes, { engineName: config.ENGINE });
  await app.register(chatRoutes);
  await app.register(threadRunRoutes);
  // [chat routes]
  await app.register(legacyRoutes, { config });
  // [legacy routes]
  await app.register(threadRoutes);
  // [thread routes]
  await app.register(knowledgeRoutes, { config });
  // [knowledge routes]
  await app.register(v1Routes, { prefix: '/v1', heartbeatMs: config.HEARTBEAT_MS });
  // [v1 routes]
  await registerWebApp(app, config.WEB_DIST_DIR ?? defaultWebDistDir);

  return app;
}
