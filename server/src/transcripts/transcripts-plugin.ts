import type { FastifyInstance } from 'fastify';
import fastifyPlugin from 'fastify-plugin';
import type { Config } from '../config.js';
import { openDatabase, type SqliteDatabase } from '../sqlite/index.js';
import { createMongoTranscriptStore } from './stores/mongo-transcript-store.js';
import { createOutbox } from './writer/outbox.js';
import { createSqliteTranscriptStore } from './stores/sqlite-transcript-store.js';
import type { TranscriptStore } from './transcript-store.js';
import { createTranscriptWriter, type TranscriptWriter } from './writer/transcript-writer.js';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The one connection to the embedded database file, shared by the outbox, the SQLite store
     * and the local engine. With a connection each, every journal commit made the engine's
     * connection drop its whole page cache (SQLite resets it when another connection has written),
     * so retrieval re-read its pages on the next request.
     */
    embeddedDatabase: SqliteDatabase;
    /** Transcript reads and user edits (history routes). Writes go through `recorder`. */
    transcripts: TranscriptStore;
    /** The recorder itself, with the writer-only operations (forget a deleted thread, status). */
    transcriptWriter: TranscriptWriter;
  }
}

const healthProbeTimeoutMs = 1000;

/**
 * The transcript store (MongoDB when MONGODB_URI is set, else the embedded SQLite file) behind the
 * background writer, whose outbox always lives in the local file so it works while MongoDB is down.
 */
export const persistencePlugin = fastifyPlugin(
  async (app: FastifyInstance, options: { config: Config; store?: TranscriptStore | undefined }) => {
    const { config } = options;
    const database = openDatabase(config.DATA_DIR);
    const store =
      options.store ??
      (config.MONGODB_URI
        ? await createMongoTranscriptStore({ uri: config.MONGODB_URI, dbName: config.MONGODB_DB })
        : createSqliteTranscriptStore(database));
    const writer = createTranscriptWriter({
      store,
      outbox: createOutbox(database, {
        onCheckpointError: (message) => app.log.warn({ error: message }, 'WAL checkpoint failed'),
      }),
      queueSize: config.WRITER_QUEUE_SIZE,
      batchSize: config.WRITER_BATCH_SIZE,
      logger: app.log,
    });
    app.decorate('embeddedDatabase', database);
    app.decorate('recorder', writer);
    app.decorate('transcriptWriter', writer);
    app.decorate('transcripts', store);

    app.healthSources.store = async () => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), healthProbeTimeoutMs);
      });
      const reachable = await Promise.race([store.ping(), timeout]);
      clearTimeout(timer);
      return { kind: store.kind, reachable };
    };
    app.healthSources.queue = () => writer.status();

    // Runs after the HTTP server has closed (Fastify closes it first), so finished streams have
    // recorded their assistant messages by now; and after the engine's (onClose hooks run in reverse
    // order of registration), which uses the database until it has closed.
    app.addHook('onClose', async () => {
      await writer.close(config.SHUTDOWN_GRACE_MS);
      if (!options.store) await store.close();
      database.close();
    });
  },
  { name: 'threadline-persistence' },
);
