import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiPaths,
  defaultKnowledgeBaseSchema,
  errorBodySchema,
  knowledgeFileListSchema,
  threadIdHeader,
  vectorStoreListSchema,
  vectorStoreSummarySchema,
  type AssistantStreamEvent,
} from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sampleDocumentPaths, sampleStoreName } from '../../src/knowledge/sample-knowledge-base.js';
import { finalMessage, textOf } from '../helpers/assistants-stream-checks.js';
import { eventually, postJson, readEvents } from '../helpers/chat-harness.js';
import { startConformanceLlm } from '../helpers/conformance-llm.js';
import {
  announceRedisSkip,
  redisServerPath,
  startRedisServer,
  type RedisTestServer,
} from '../helpers/redis-server.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../helpers/server-process.js';

announceRedisSkip('knowledge across instances');

const alice = { authorization: 'Bearer alice-token-1' };
const bob = { authorization: 'Bearer bob-token-22' };
const engineKey = { authorization: 'Bearer engine-key-123' };
/** What the conformance double writes for any question (it is the engine node's LLM). */
const writtenAnswer = 'Grounded answer.';
const v1List = z.object({ data: z.array(z.object({ id: z.string(), name: z.string().optional() })) });

/**
 * The documented topology (docs/deployment.md): two front instances (A, B) with ENGINE=assistants
 * and REDIS_URL, in front of one engine node (ENGINE=local) whose LLM_BASE_URL is a deterministic
 * chat-completions double on loopback; every one a real `server.ts` process. Owner records and
 * default stores live in the shared Redis (no MONGODB_URI), so what a user has is theirs on every
 * front: one copy of the sample per user, knowledge made on A named and listed on B, and answers
 * written by the engine node's model rather than its extractive one.
 */
describe.skipIf(redisServerPath === undefined)(
  'knowledge across instances (two fronts, one engine node, real redis-server)',
  () => {
    let llm: Awaited<ReturnType<typeof startConformanceLlm>>;
    let redis: RedisTestServer;
    let engineNode: ServerProcess;
    const fronts: ServerProcess[] = [];
    const dataDirs: string[] = [];
    let a: string;
    let b: string;
    let sampleFileCount: number;

    const dataDir = () => {
      const dir = mkdtempSync(join(tmpdir(), 'threadline-knowledge-instances-'));
      dataDirs.push(dir);
      return dir;
    };

    beforeAll(async () => {
      sampleFileCount = (await sampleDocumentPaths()).length;
      llm = await startConformanceLlm();
      redis = await startRedisServer();
      engineNode = await startServerProcess({
        DATA_DIR: dataDir(),
        ENGINE: 'local',
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'conformance',
        AUTH_TOKENS: 'engine-key-123=orchestrators',
        DEFAULT_KNOWLEDGE_BASE: 'none',
        LOG_LEVEL: 'warn',
      });
      const frontEnvironment = {
        ENGINE: 'assistants',
        ASSISTANTS_BASE_URL: `${engineNode.baseUrl}/v1`,
        ASSISTANTS_API_KEY: 'engine-key-123',
        REDIS_URL: redis.url,
        AUTH_TOKENS: 'alice-token-1=alice,bob-token-22=bob',
        DEFAULT_KNOWLEDGE_BASE: 'sample',
        HEARTBEAT_MS: '200',
        LOG_LEVEL: 'info',
      };
      const started = await Promise.all([
        startServerProcess({ ...frontEnvironment, DATA_DIR: dataDir() }),
        startServerProcess({ ...frontEnvironment, DATA_DIR: dataDir() }),
      ]);
      fronts.push(...started);
      [a, b] = fronts.map((front) => front.baseUrl) as [string, string];
    }, 180_000);
    afterAll(async () => {
      for (const front of fronts) await stopServerProcess(front);
      if (engineNode) await stopServerProcess(engineNode);
      await redis?.stop();
      await llm?.close();
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    });

    const ask = async (baseUrl: string, headers: Record<string, string>, body: object) => {
      const response = await postJson(`${baseUrl}${apiPaths.chatStream}`, body, { headers });
      const events: AssistantStreamEvent[] = [];
      if (response.status === 200) for await (const event of readEvents(response)) events.push(event);
      return { status: response.status, threadId: response.headers.get(threadIdHeader), events, response };
    };
    const defaults = async (baseUrl: string, headers: Record<string, string>) =>
      defaultKnowledgeBaseSchema.parse(
        await (await fetch(`${baseUrl}${apiPaths.defaultKnowledgeBase}`, { headers })).json(),
      ).vectorStores;
    /** Every file and store on the engine node, through its own /v1 (the fronts' service user). */
    const engineObjects = async () => ({
      files: v1List.parse(
        await (await fetch(`${engineNode.baseUrl}/v1/files`, { headers: engineKey })).json(),
      ).data,
      stores: v1List.parse(
        await (
          await fetch(`${engineNode.baseUrl}/v1/vector_stores?limit=100`, { headers: engineKey })
        ).json(),
      ).data,
    });

    it('each front says at start that answers come from the engine node’s model that writes', async () => {
      for (const front of fronts) {
        await eventually(
          () => (front.output().includes('answers come from conformance') ? true : undefined),
          30_000,
          'the start-up line naming the model',
        );
        expect(front.output()).not.toContain('threadline-extractive');
      }
    });

    it('loads one copy of the sample per user, however many first questions reach A and B at once', async () => {
      const first = await Promise.all(
        [a, b, a, b, a, b].map((baseUrl, index) =>
          ask(baseUrl, alice, { content: `How do I store transcripts in MongoDB? (${index})` }),
        ),
      );
      for (const { status, events } of first) {
        expect(status).toBe(200);
        expect(events.map((event) => event.event).slice(-2)).toEqual(['thread.run.completed', 'done']);
        // Written by the engine node's model, not quoted by its extractive answerer.
        expect(textOf(finalMessage(events))).toBe(writtenAnswer);
        const created = events.find((event) => event.event === 'thread.run.created');
        expect(created?.data).toMatchObject({ model: 'conformance' });
      }
      const [onA, onB] = [await defaults(a, alice), await defaults(b, alice)];
      expect(onA.map((store) => store.name)).toEqual([sampleStoreName]);
      expect(onB.map((store) => store.id)).toEqual(onA.map((store) => store.id));
      let engine = await engineObjects();
      expect(engine.files).toHaveLength(sampleFileCount);
      expect(engine.stores.filter((store) => store.name === sampleStoreName)).toHaveLength(1);

      // Bob's first questions, on both fronts: his own copy, once.
      await Promise.all([ask(a, bob, { content: 'What is Threadline?' }), ask(b, bob, { content: 'And?' })]);
      const bobs = await defaults(b, bob);
      expect(bobs.map((store) => store.name)).toEqual([sampleStoreName]);
      expect(bobs[0]?.id).not.toBe(onA[0]?.id);
      engine = await engineObjects();
      expect(engine.files).toHaveLength(2 * sampleFileCount);
      expect(engine.stores.filter((store) => store.name === sampleStoreName)).toHaveLength(2);
    });

    it('knowledge created on A is listed on B and named in a message on B; to anyone else it is missing', async () => {
      const created = await postJson(`${a}${apiPaths.vectorStores}`, { name: 'harbour' }, { headers: alice });
      expect(created.status).toBe(201);
      const harbour = vectorStoreSummarySchema.parse(await created.json()).id;
      const form = new FormData();
      form.append('file', new Blob(['# Harbour\n\nThe harbour opens at nine.\n']), 'harbour.md');
      const uploaded = await fetch(`${a}${apiPaths.vectorStoreFiles(harbour)}`, {
        method: 'POST',
        headers: alice,
        body: form,
      });
      expect(uploaded.ok).toBe(true);
      const fileId = knowledgeFileListSchema.parse(await uploaded.json()).data[0]?.id;

      // Listed on B, with its file, once ingested.
      const listedOnB = vectorStoreListSchema.parse(
        await (await fetch(`${b}${apiPaths.vectorStores}`, { headers: alice })).json(),
      );
      expect(listedOnB.data.map((store) => store.id)).toContain(harbour);
      await eventually(
        async () => {
          const response = await fetch(`${b}${apiPaths.vectorStoreFiles(harbour)}`, { headers: alice });
          const files = knowledgeFileListSchema.parse(await response.json()).data;
          return files.length === 1 && files[0]?.status === 'completed' ? true : undefined;
        },
        30_000,
        'the harbour file to be ingested, seen from B',
      );

      // Named in a new conversation on B: the run searches it.
      const onB = await ask(b, alice, { content: 'When does the harbour open?', vectorStoreIds: [harbour] });
      expect(onB.status).toBe(200);
      expect(textOf(finalMessage(onB.events))).toBe(writtenAnswer);
      const searched = onB.events.flatMap((event) =>
        event.event === 'thread.run.step.completed' && event.data.step_details.type === 'tool_calls'
          ? event.data.step_details.tool_calls.flatMap((call) =>
              call.type === 'file_search' ? (call.file_search.results ?? []) : [],
            )
          : [],
      );
      expect(searched.map((result) => result.file_id)).toContain(fileId);

      // Bob, on either front, gets exactly what a missing store gets.
      for (const baseUrl of [a, b]) {
        const refused = await ask(baseUrl, bob, { content: 'Harbour?', vectorStoreIds: [harbour] });
        const missing = await ask(baseUrl, bob, {
          content: 'Harbour?',
          vectorStoreIds: ['vs_missing000000'],
        });
        expect(refused.status).toBe(404);
        const [refusedBody, missingBody] = [
          errorBodySchema.parse(await refused.response.json()),
          errorBodySchema.parse(await missing.response.json()),
        ];
        expect(refusedBody.message.replace(harbour, '<id>')).toBe(
          missingBody.message.replace('vs_missing000000', '<id>'),
        );
        const bobsList = vectorStoreListSchema.parse(
          await (await fetch(`${baseUrl}${apiPaths.vectorStores}`, { headers: bob })).json(),
        );
        expect(bobsList.data.map((store) => store.id)).not.toContain(harbour);
      }
    });
  },
);
