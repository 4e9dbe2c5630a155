import { buildApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { resolveAnswerMode } from './engines/index.js';
import { listenBacklog } from './http/index.js';
import {
  checkDataDirectory,
  checkPortFree,
  checkRequiredModel,
  listenProblem,
  StartupError,
  startupSummary,
} from './startup/index.js';

/** Process concerns only: config → checks → buildApp → listen → graceful shutdown. */
async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(78);
    }
    throw error;
  }

  // What the operator can fix is found before anything starts (the database, the model download).
  await checkDataDirectory(config);
  await checkPortFree(config);
  await checkRequiredModel(config, (line) => process.stderr.write(`${line}\n`));
  // Who writes the answers (LLM_BASE_URL=auto resolved here), stated once the server is up.
  const answerMode = await resolveAnswerMode(config);
  config = answerMode.config;

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

  let address: string;
  try {
    address = await app.listen({ port: config.PORT, host: config.HOST, backlog: listenBacklog });
  } catch (error) {
    // Taken between the check and now: the same one message, after closing what was opened.
    const problem = listenProblem(error, config);
    if (!problem) throw error;
    await app.close().catch(() => {});
    throw problem;
  }
  const shown = address.replace('127.0.0.1', 'localhost');
  if (['trace', 'debug', 'info'].includes(config.LOG_LEVEL))
    app.log.info(
      { summary: startupSummary(config, shown, answerMode.line) },
      `Threadline is running at ${shown}/`,
    );
  else
    process.stdout.write(
      `Threadline is running at ${shown}/  (API docs: ${shown}/docs)\n${answerMode.line}\n`,
    );
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) {
    process.stderr.write(`Threadline cannot start: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  process.stderr.write(
    `Threadline failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
