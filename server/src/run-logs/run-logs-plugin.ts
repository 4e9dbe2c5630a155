import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { RunRedis } from './redis/connection.js';
import { RedisThreadLocks } from './redis/locks.js';
import { RedisRunLogs } from './redis/log-mirror.js';
import { RunLogs, type RunDirectory } from './run-log.js';
import { soloThreadLocks, type ThreadLocks } from './thread-locks.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every run's event log (chat runs and streamed /v1 runs alike): what `/threads/:id/stream`
     * replays and follows, whoever started the run — with REDIS_URL, on whichever instance.
     */
    runLogs: RunDirectory;
    /** Serialises a thread's turns across instances (with REDIS_URL; in one process, nothing to do). */
    threadLocks: ThreadLocks;
  }
}

/**
 * Without REDIS_URL, runs live in this process. With it, several instances act as one: run logs
 * are Redis streams any instance follows, a Stop reaching any instance stops the run wherever it
 * executes, and a thread's turns are serialised by a lock in Redis (docs/deployment.md).
 */
export const runLogsPlugin = fastifyPlugin(
  async (
    app: FastifyInstance,
    options: { config: Pick<Config, 'RUN_LOG_MAX_EVENTS' | 'RUN_LOG_RETENTION_MS' | 'REDIS_URL'> },
  ) => {
    const logOptions = {
      maxEvents: options.config.RUN_LOG_MAX_EVENTS,
      retentionMs: options.config.RUN_LOG_RETENTION_MS,
    };
    if (!options.config.REDIS_URL) {
      const logs = new RunLogs(logOptions);
      app.decorate('runLogs', logs);
      app.decorate('threadLocks', soloThreadLocks);
      app.addHook('onClose', async () => logs.close());
      return;
    }
    const redis = new RunRedis(options.config.REDIS_URL, app.log);
    await redis.connect();
    const logs = new RedisRunLogs(redis, logOptions);
    app.decorate('runLogs', logs);
    app.decorate('threadLocks', new RedisThreadLocks(redis));
    app.addHook('onClose', async () => {
      await logs.close();
      await redis.close();
    });
  },
  { name: 'threadline-run-logs' },
);
