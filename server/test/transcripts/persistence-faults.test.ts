import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths, threadIdHeader } from '@threadline/shared';
import { MongoClient } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  resolveMongoTestServer,
  startMongoTestServer,
  type MongoTestServer,
} from '../../../scripts/mongo-test-server/start.mjs';
import { openDatabase } from '../../src/sqlite/database.js';
import { createChatHarness, type ChatHarness } from '../helpers/chat-harness.js';
import { announceMongoSkip, mongoTestUri } from '../helpers/mongo-test-uri.js';
import { startServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait-until.js';

announceMongoSkip('persistence fault tests');
const canStartServer = resolveMongoTestServer() !== undefined;
if (mongoTestUri !== '' && !canStartServer) {
  const message =
    'persistence fault tests need a MongoDB-compatible server they can stop and start (FerretDB, or java + mvn)';
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`CI: ${message}. Failing.`);
  console.warn(`\n${'!'.repeat(78)}\nSKIPPED: ${message}.\n${'!'.repeat(78)}\n`);
}

/** Every stored message id with how often it is stored, straight from MongoDB. */
async function storedMessages(uri: string, dbName: string) {
  const client = await MongoClient.connect(uri, { serverSelectionTimeoutMS: 10_000 });
  try {
    const documents = await client
      .db(dbName)
      .collection<{ id: string; threadId: string; role: string }>('messages')
      .find()
      .toArray();
    const copies = new Map<string, number>();
    for (const document of documents) copies.set(document.id, (copies.get(document.id) ?? 0) + 1);
    return { documents, copies };
  } finally {
    await client.close();
  }
}

// The fault tests need a server they may stop and start, so they start their own (mongoTestUri only
// says one can be had here).
describe.skipIf(mongoTestUri === '' || !canStartServer)('persistence under faults (MongoDB)', () => {
  let mongo: MongoTestServer;
  let mongoDir: string;
  beforeAll(async () => {
    mongoDir = mkdtempSync(join(tmpdir(), 'threadline-fault-mongo-'));
    mongo = await startMongoTestServer({ dataDir: mongoDir });
  }, 90_000);
  afterAll(async () => {
    await mongo.stop();
    rmSync(mongoDir, { recursive: true, force: true });
  });

  describe('the database stopped mid-conversation', () => {
    let harness: ChatHarness;
    beforeAll(async () => {
      harness = await createChatHarness({ MONGODB_URI: mongo.uri, MONGODB_DB: 'threadline_stop' });
    });
    afterAll(async () => harness.close());

    const chat = async (content: string, threadId?: string) => {
      const response = await harness.app.inject({
        method: 'POST',
        url: apiPaths.chatStream,
        payload: { content, vectorStoreIds: [harness.vectorStoreId], ...(threadId ? { threadId } : {}) },
      });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('thread.run.completed');
      return String(response.headers[threadIdHeader]);
    };

    it('keeps chatting while MongoDB is down and ends with every message stored exactly once', async () => {
      const threadId = await chat('How much are meals reimbursed per day?');
      await chat('And hotels?', threadId);
      await waitUntil(() => harness.app.transcriptWriter.status().depth === 0, 20_000, 'first writes');

      await mongo.stop();
      const whileDown: number[] = [];
      for (let turn = 0; turn < 4; turn += 1) {
        const started = performance.now();
        await chat(`Question ${turn} while the database is down`, threadId);
        whileDown.push(performance.now() - started);
      }
      const other = await chat('A new conversation while the database is down');
      // Chats never wait for the database (its server selection alone takes 2 s).
      expect(Math.max(...whileDown)).toBeLessThan(1500);
      await waitUntil(
        () => harness.app.transcriptWriter.status().lastError !== null,
        20_000,
        'a failed write',
      );
      const health = (await harness.app.inject({ method: 'GET', url: apiPaths.health })).json<{
        status: string;
        store: { reachable: boolean };
        queue: {
          depth: number;
          outbox: number;
          oldestPendingAgeMs: number | null;
          lastError: string | null;
        };
      }>();
      expect(health.store.reachable).toBe(false);
      expect(health.queue.depth + health.queue.outbox).toBeGreaterThan(0);
      expect(health.queue.oldestPendingAgeMs).not.toBeNull();

      await mongo.start();
      await waitUntil(
        () => {
          const status = harness.app.transcriptWriter.status();
          return status.depth === 0 && status.outbox === 0;
        },
        60_000,
        'the writer to catch up',
      );
      const { documents, copies } = await storedMessages(mongo.uri, 'threadline_stop');
      const mine = documents.filter(
        (document) => document.threadId === threadId || document.threadId === other,
      );
      expect(mine).toHaveLength(2 * 7);
      expect([...copies.values()].every((count) => count === 1)).toBe(true);
      const list = (await harness.app.inject({ method: 'GET', url: apiPaths.threads })).json<{
        data: { id: string; messageCount: number }[];
      }>();
      expect(list.data.find((thread) => thread.id === threadId)?.messageCount).toBe(12);
      expect(list.data.find((thread) => thread.id === other)?.messageCount).toBe(2);
    }, 120_000);
  });

  describe('the server killed with SIGKILL', () => {
    let dataDir: string;
    let server: ChildProcess | undefined;
    beforeAll(() => {
      dataDir = mkdtempSync(join(tmpdir(), 'threadline-fault-server-'));
    });
    afterAll(() => {
      if (server && server.exitCode === null) server.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });

    const startServer = async () => {
      const started = await startServerProcess({
        DATA_DIR: dataDir,
        MONGODB_URI: mongo.uri,
        MONGODB_DB: 'threadline_kill',
        LOG_LEVEL: 'warn',
        AUTH_TOKENS: '',
      });
      server = started.child;
      return started;
    };

    const chat = async (baseUrl: string, content: string, threadId?: string) => {
      const response = await fetch(`${baseUrl}${apiPaths.chatStream}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content, ...(threadId ? { threadId } : {}) }),
      });
      const body = await response.text();
      expect(response.status).toBe(200);
      // `done` is written after the assistant message was handed to the recorder: acknowledged.
      expect(body).toContain('event: done');
      return response.headers.get(threadIdHeader) ?? '';
    };

    it('replays acknowledged messages from the outbox on restart: no loss, no duplicates', async () => {
      const first = await startServer();
      const threadId = await chat(first.baseUrl, 'First question, stored at once');
      const stored = () => storedMessages(mongo.uri, 'threadline_kill');
      await waitUntil(async () => (await stored()).documents.length === 2, 30_000, 'first messages stored');

      // With the database down nothing more can reach it: the outbox holds the acknowledged rest.
      await mongo.stop();
      for (let turn = 0; turn < 3; turn += 1)
        await chat(first.baseUrl, `Question ${turn} before the crash`, threadId);
      const second = await chat(first.baseUrl, 'Another conversation before the crash');
      const exited = new Promise((resolve) => first.child.once('exit', resolve));
      first.child.kill('SIGKILL');
      await exited;
      // The acknowledged records are in the outbox on disk, and nowhere else: in its log (one line
      // per journaled turn or answer) or, if they waited there long enough, in its tables.
      const journal = openDatabase(dataDir);
      const inTables =
        journal.prepare<[], { count: number }>('SELECT COUNT(*) AS count FROM outbox_entries').get()?.count ??
        0;
      const logPath = `${journal.name}.outbox-log`;
      journal.close();
      const inLog = readFileSync(logPath, 'utf8')
        .split('\n')
        .filter(Boolean)
        .reduce((count, line) => count + (JSON.parse(line) as { entries: unknown[] }).entries.length, 0);
      expect(inTables + inLog).toBeGreaterThanOrEqual(8);

      await mongo.start();
      const restarted = await startServer();
      const expected = 2 + 2 * 4;
      await waitUntil(async () => (await stored()).documents.length >= expected, 60_000, 'the replay');
      await waitUntil(
        async () => {
          const health = (await (await fetch(`${restarted.baseUrl}${apiPaths.health}`)).json()) as {
            queue: { depth: number; outbox: number };
          };
          return health.queue.depth === 0 && health.queue.outbox === 0;
        },
        30_000,
        'the outbox to empty',
      );
      const { documents, copies } = await stored();
      expect(documents).toHaveLength(expected);
      expect([...copies.values()].every((count) => count === 1)).toBe(true);
      expect(documents.filter((document) => document.threadId === threadId)).toHaveLength(8);
      expect(
        documents
          .filter((document) => document.threadId === second)
          .map((document) => document.role)
          .sort(),
      ).toEqual(['assistant', 'user']);
      const list = (await (await fetch(`${restarted.baseUrl}${apiPaths.threads}`)).json()) as {
        data: { id: string; messageCount: number }[];
      };
      expect(list.data.find((thread) => thread.id === threadId)?.messageCount).toBe(8);

      const exitedAgain = new Promise((resolve) => restarted.child.once('exit', resolve));
      restarted.child.kill('SIGTERM');
      expect(await exitedAgain).toBe(0);
    }, 180_000);
  });
});
