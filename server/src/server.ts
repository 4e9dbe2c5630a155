import { answerModeText } from './answer-mode.js';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { listenBacklog } from './listen-options.js';

/** Process concerns only: config → buildApp → listen → graceful shutdown. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(78);
    }
    throw error;
  }

  const app = await buildApp(config);
  let isClosing = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (isClosing) return;
    isClosing = true;
    app.log.info({ signal }, 'shutting down: no new requests; letting streams finish');
    // A last resort only: closing takes at most the streams' grace period (plus 5 s for cancelled
    // ones to settle), then the writer's flush (another grace period) and the engine's close.
    const deadline = setTimeout(
      () => {
        app.log.error('shutdown deadline passed; exiting');
        process.exit(1);
      },
      2 * config.SHUTDOWN_GRACE_MS + 20_000,
    );
    deadline.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);

  const address = await app.listen({ port: config.PORT, host: config.HOST, backlog: listenBacklog });
  const shown = address.replace('127.0.0.1', 'localhost');
  process.stdout.write(
    `\nThreadline is running at ${shown}/  (API docs: ${shown}/docs)\n${answerModeText(config)}\n\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `Threadline failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
