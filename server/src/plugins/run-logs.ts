import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { RunLogs } from '../orchestrator/run-log.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * Every run's event log (chat runs and streamed /v1 runs alike): what `/threads/:id/stream`
     * replays and follows, whoever started the run.
     */
    runLogs: RunLogs;
  }
}

export const runLogsPlugin = fastifyPlugin(
  async (
    app: FastifyInstance,
    options: { config: Pick<Config, 'RUN_LOG_MAX_EVENTS' | 'RUN_LOG_RETENTION_MS'> },
  ) => {
    const logs = new RunLogs({
      maxEvents: options.config.RUN_LOG_MAX_EVENTS,
      retentionMs: options.config.RUN_LOG_RETENTION_MS,
    });
    app.decorate('runLogs', logs);
    app.addHook('onClose', async () => logs.close());
  },
  { name: 'threadline-run-logs' },
);
