import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiPaths,
  knowledgeFileListSchema,
  sampleKnowledgeBaseSchema,
  threadCancelResultSchema,
  threadIdHeader,
  threadMessagesSchema,
  type IdentifiedEvent,
} from '@threadline/shared';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveTtlMs, runRedisNamespace } from '../../../src/run-logs/redis/keys.js';
import {
  createChatHarness,
  eventually,
  postJson,
  readIdentifiedEvents,
  type ChatHarness,
} from '../../helpers/chat-harness.js';
import { slowModel, startConformanceLlm } from '../../helpers/conformance-llm.js';
import { announceMongoSkip, mongoTestUri } from '../../helpers/mongo-test-uri.js';
import {
  announceRedisSkip,
  redisServerPath,
  startRedisServer,
  type RedisTestServer,
} from '../../helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from '../../helpers/server-process.js';

announceRedisSkip('more than one instance');
announceMongoSkip('more than one instance');

const alice = { authorization: 'Bearer alice-token-1' };
/** Any model but the slow one answers at once ("Grounded answer."). */
const quickModel = 'conformance';

/**
 * Two Threadline processes (A and B) behind no load balancer, as one: they share a real
 * redis-server (run logs, run registry, Stop, turn locks) and the Mongo test server (history),
 * and reach one engine node through ENGINE=assistants — the topology docs/deployment.md defends.
 * The engine node streams from a deterministic LLM double on loopback that types 300 words, one
 * every 20 ms.
 */
describe.skipIf(redisServerPath === undefined || mongoTestUri === '')(
  'more than one instance (two server processes, real redis-server, MongoDB)',
  () => {
    let llm: Awaited<ReturnType<typeof startConformanceLlm>>;
    let engine: ChatHarness;
    let redis: RedisTestServer;
    const instances: ServerProcess[] = [];
    const dataDirs: string[] = [];
    let a: string;
    let b: string;
    let vectorStoreId: string;

    beforeAll(async () => {
      llm = await startConformanceLlm();
      redis = await startRedisServer();
      engine = await createChatHarness({
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: slowModel,
        AUTH_TOKENS: 'engine-key-123=orchestrators',
      });
      const engineUrl = await engine.listen();
      const database = `threadline_instances_${Date.now()}`;
      for (let index = 0; index < 2; index += 1) {
        const dataDir = mkdtempSync(join(tmpdir(), 'threadline-instance-'));
        dataDirs.push(dataDir);
        instances.push(
          await startServerProcess({
            DATA_DIR: dataDir,
            ENGINE: 'assistants',
            ASSISTANTS_BASE_URL: `${engineUrl}/v1`,
            ASSISTANTS_API_KEY: 'engine-key-123',
            REDIS_URL: redis.url,
            MONGODB_URI: mongoTestUri,
            MONGODB_DB: database,
            AUTH_TOKENS: 'alice-token-1=alice',
            HEARTBEAT_MS: '200',
            LOG_LEVEL: 'warn',
          }),
        );
      }
      [a, b] = instances.map((instance) => instance.baseUrl) as [string, string];
      // Alice's knowledge, through A: a thread made with it answers from it, on any instance.
      const sample = await postJson(`${a}${apiPaths.sampleKnowledgeBase}`, {}, { headers: alice });
      vectorStoreId = sampleKnowledgeBaseSchema.parse(await sample.json()).vectorStore.id;
      await eventually(
        async () => {
          const response = await fetch(`${a}${apiPaths.vectorStoreFiles(vectorStoreId)}`, { headers: alice });
          const files = knowledgeFileListSchema.parse(await response.json()).data;
          return files.length > 0 && files.every((file) => file.status === 'completed') ? true : undefined;
        },
        60_000,
        'the sample knowledge to be ingested',
      );
    }, 120_000);
    afterAll(async () => {
      for (const instance of instances) {
        const exited = new Promise((resolve) => instance.child.once('exit', resolve));
        if (instance.child.exitCode === null && instance.child.signalCode === null) {
          instance.child.kill('SIGTERM');
          await exited;
        }
      }
      for (const dataDir of dataDirs) rmSync(dataDir, { recursive: true, force: true });
      await engine?.close();
      await redis?.stop();
      await llm?.close();
    });

    const ask = (
      baseUrl: string,
      content: string,
      init: { threadId?: string; signal?: AbortSignal; model?: string } = {},
    ) =>
      postJson(
        `${baseUrl}${apiPaths.chatStream}`,
        {
          content,
          model: init.model ?? slowModel,
          // A new thread gets Alice's store; a send to an existing one uses the thread's.
          ...(init.threadId ? { threadId: init.threadId } : { vectorStoreIds: [vectorStoreId] }),
        },
        { headers: alice, ...(init.signal ? { signal: init.signal } : {}) },
      );
    const follow = (baseUrl: string, threadId: string, headers: Record<string, string> = {}) =>
      fetch(`${baseUrl}${apiPaths.threadStream(threadId)}`, { headers: { ...alice, ...headers } });
    const cancel = (baseUrl: string, threadId: string) =>
      fetch(`${baseUrl}${apiPaths.threadCancel(threadId)}`, { method: 'POST', headers: alice });

    async function read(response: Response, stop?: (event: IdentifiedEvent) => boolean) {
      const events: IdentifiedEvent[] = [];
      for await (const event of readIdentifiedEvents(response)) {
        events.push(event);
        if (stop?.(event)) break;
      }
      return events;
    }
    const names = (events: IdentifiedEvent[]) => events.map((item) => item.event.event);
    const withoutDone = (events: IdentifiedEvent[]) => events.filter((item) => item.event.event !== 'done');
    const deltas = (count: number) => {
      let seen = 0;
      return (item: IdentifiedEvent) => item.event.event === 'thread.message.delta' && ++seen === count;
    };
    /** Follows the thread on `baseUrl` once its run is registered there (200, not 204). */
    const followOnceRunning = (baseUrl: string, threadId: string) =>
      eventually(
        async () => {
          const response = await follow(baseUrl, threadId);
          if (response.status === 200) return response;
          await response.body?.cancel();
          return undefined;
        },
        5_000,
        'the run to be followable',
      );

    it('a run started on A is resumed on B with exactly the remaining events, and followed on B identically', async () => {
      const controller = new AbortController();
      const response = await ask(a, 'How much are meals reimbursed?', { signal: controller.signal });
      expect(response.status).toBe(200);
      const threadId = String(response.headers.get(threadIdHeader));
      // A reader on B from the run's start, and one on A, for the reference sequence.
      const onB = read(await followOnceRunning(b, threadId));
      const onA = read(await follow(a, threadId));
      const before = await read(response, deltas(5));
      controller.abort();
      await new Promise((resolve) => setTimeout(resolve, 300));
      const lastId = String(before.at(-1)?.id);

      const resumed = await follow(b, threadId, { 'last-event-id': lastId });
      expect(resumed.status).toBe(200);
      const after = await read(resumed);
      const [reference, wholeOnB] = [await onA, await onB];

      expect(names(after).slice(-2)).toEqual(['thread.run.completed', 'done']);
      expect(names(reference).slice(-2)).toEqual(['thread.run.completed', 'done']);
      const joined = [...before, ...withoutDone(after)];
      expect(joined.map((item) => item.id)).toEqual(withoutDone(reference).map((item) => item.id));
      expect(joined.map((item) => item.event)).toEqual(withoutDone(reference).map((item) => item.event));
      expect(wholeOnB).toEqual(reference);
      expect(reference.length).toBeGreaterThan(300);

      // Nothing left after the end on either instance: 204, as on one.
      const endId = String(withoutDone(after).at(-1)?.id);
      expect((await follow(a, threadId, { 'last-event-id': endId })).status).toBe(204);
      expect((await follow(b, threadId, { 'last-event-id': endId })).status).toBe(204);
      expect((await follow(b, threadId)).status).toBe(204);

      // The stream in Redis is bounded and expires once its run has ended.
      const inspector = new Redis(redis.url);
      try {
        const logId = endId.slice(0, endId.lastIndexOf(':'));
        const ttl = await inspector.pttl(`${runRedisNamespace}log:${logId}`);
        expect(ttl).toBeGreaterThan(0);
        expect(ttl).toBeLessThanOrEqual(60_000);
      } finally {
        inspector.disconnect();
      }
    });

    it('Stop on B ends the run executing on A with thread.run.cancelled for readers on both', async () => {
      const response = await ask(a, 'How much are meals reimbursed?');
      const threadId = String(response.headers.get(threadIdHeader));
      const readerOnA = read(response);
      const readerOnB = read(await followOnceRunning(b, threadId));
      await new Promise((resolve) => setTimeout(resolve, 300));

      const stopped = await cancel(b, threadId);
      expect(stopped.status).toBe(200);
      expect(threadCancelResultSchema.parse(await stopped.json())).toEqual({ threadId, cancelled: true });
      const [eventsOnA, eventsOnB] = [await readerOnA, await readerOnB];
      for (const events of [eventsOnA, eventsOnB]) {
        expect(names(events).slice(-2)).toEqual(['thread.run.cancelled', 'done']);
        expect(names(events)).not.toContain('thread.run.completed');
        expect(events.filter(deltas(300))).toEqual([]);
      }
      expect(eventsOnB).toEqual(eventsOnA);
      expect((await follow(a, threadId)).status).toBe(204);
      expect((await follow(b, threadId)).status).toBe(204);
      const again = await cancel(a, threadId);
      expect(threadCancelResultSchema.parse(await again.json())).toEqual({ threadId, cancelled: false });
    });

    it('concurrent sends to one thread on A and B all complete, one turn after the other, without an error', async () => {
      const first = await ask(a, 'Start the thread', { model: quickModel });
      const threadId = String(first.headers.get(threadIdHeader));
      expect(names(await read(first)).slice(-2)).toEqual(['thread.run.completed', 'done']);

      // Three sends to each instance at once: each newer one supersedes the run in progress.
      const targets = [a, b, a, b, a, b];
      const responses = await Promise.all(
        targets.map((baseUrl, index) => ask(baseUrl, `Question ${index}`, { threadId })),
      );
      expect(responses.map((response) => response.status)).toEqual(targets.map(() => 200));
      const streams = await Promise.all(responses.map((response) => read(response)));
      for (const events of streams) {
        expect(names(events)).not.toContain('error');
        expect(names(events).at(-1)).toBe('done');
        expect(['thread.run.cancelled', 'thread.run.completed']).toContain(names(events).at(-2));
      }
      expect(
        streams.filter((events) => names(events).at(-2) === 'thread.run.completed').length,
      ).toBeGreaterThan(0);

      // The history (shared MongoDB) holds each question followed by its own answer: no interleaving.
      const messages = await eventually(
        async () => {
          const response = await fetch(`${b}${apiPaths.threadMessages(threadId)}`, { headers: alice });
          const data = threadMessagesSchema.parse(await response.json()).data;
          return data.length === 14 && data.at(-1)?.role === 'assistant' ? data : undefined;
        },
        15_000,
        'fourteen messages in the history',
      );
      expect(messages.map((message) => message.role)).toEqual(
        Array.from({ length: 7 }, () => ['user', 'assistant']).flat(),
      );
      const questions = messages.filter((message) => message.role === 'user').slice(1);
      expect(questions.map((message) => message.text).sort()).toEqual(
        targets.map((_, index) => `Question ${index}`),
      );
    });

    // Last: it kills A.
    it('an instance that crashes mid-run: its lock expires so B can take the thread, and B’s reader of its run ends', async () => {
      const response = await ask(a, 'How much are meals reimbursed?');
      const threadId = String(response.headers.get(threadIdHeader));
      const onA = read(response).catch(() => []);
      const readerOnB = read(await followOnceRunning(b, threadId));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const crashed = Date.now();
      instances[0]?.child.kill('SIGKILL');
      await onA;

      // A held the thread's turn: B waits for the lock to expire (liveTtlMs), then takes it.
      const next = await ask(b, 'Still there?', { threadId, model: quickModel });
      expect(next.status).toBe(200);
      const nextEvents = await read(next);
      expect(names(nextEvents)).not.toContain('error');
      expect(names(nextEvents).slice(-2)).toEqual(['thread.run.completed', 'done']);
      expect(Date.now() - crashed).toBeLessThan(liveTtlMs + 5_000);

      // B's reader of the run that died with A ends (without `done`) instead of waiting forever.
      const followed = await readerOnB;
      expect(names(followed)).toContain('thread.message.delta');
      expect(names(followed)).not.toContain('done');
    }, 60_000);
  },
);
