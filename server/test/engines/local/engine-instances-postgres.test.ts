import pg from 'pg';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  apiPaths,
  extractiveModelId,
  healthSchema,
  knowledgeFileListSchema,
  searchResponseSchema,
  threadIdHeader,
  vectorStoreSummarySchema,
  type AssistantStreamEvent,
} from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runLeaseMs } from '../../../src/engines/local/runs/run-registry.js';
import { finalMessage } from '../../helpers/assistants-stream-checks.js';
import { eventually, postJson, readEvents } from '../../helpers/chat-harness.js';
import { slowModel, startConformanceLlm } from '../../helpers/conformance-llm.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../helpers/postgres-server.js';
import {
  announceRedisSkip,
  redisServerPath,
  startRedisServer,
  type RedisTestServer,
} from '../../helpers/redis-server.js';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../../helpers/server-process.js';

announcePostgresSkip('every instance an engine node');
announceRedisSkip('every instance an engine node');

const alice = { authorization: 'Bearer alice-token-1' };
const bob = { authorization: 'Bearer bob-token-22' };
const v1File = z.object({ id: z.string() });
const v1StoreFile = z.object({ id: z.string(), status: z.string() });
const v1Run = z.object({ id: z.string(), status: z.string() });
const v1Runs = z.object({ data: z.array(v1Run) });
const v1Search = z.object({ data: z.array(z.object({ file_id: z.string(), filename: z.string() })) });

const harbour = `# Harbour rules

## Opening hours
The harbour opens at nine and the pilot boat leaves from the north quay every hour.
`;
/** A Markdown file large enough to be read in the reader's child (over 64 KB), so a batch takes a while. */
const manual = (index: number) =>
  `# Manual ${index}\n\n` +
  Array.from(
    { length: 900 },
    (_, line) => `Section ${line} of manual ${index}: the crane number ${line % 37} lifts cargo ${index}.\n`,
  ).join('\n');

/**
 * Issue 29's topology: three Threadline processes (A, B, C), every one ENGINE=local over one
 * real PostgreSQL (pgvector, ENGINE_DATABASE_URL) for threads, runs and knowledge, and one real
 * redis-server (REDIS_URL) for run logs, turn locks and owner records; no engine node. Answers by
 * a deterministic chat-completions double on loopback (the slow model types for ~6 s), or
 * quoted (threadline-extractive) where a citation must be checked.
 */
describe.skipIf(pgInstallDir === undefined || redisServerPath === undefined)(
  'every instance an engine node (three server processes, PostgreSQL, redis-server)',
  () => {
    let postgres: PostgresTestServer;
    let redis: RedisTestServer;
    let llm: Awaited<ReturnType<typeof startConformanceLlm>>;
    const instances: ServerProcess[] = [];
    const dataDirs: string[] = [];
    let a: string;
    let b: string;
    let c: string;

    beforeAll(async () => {
      postgres = await startPostgresServer();
      const url = await postgres.createDatabase('instances');
      redis = await startRedisServer();
      llm = await startConformanceLlm();
      const environment = {
        ENGINE: 'local',
        ENGINE_DATABASE_URL: url,
        REDIS_URL: redis.url,
        LLM_BASE_URL: llm.baseUrl,
        LLM_MODEL: 'conformance',
        AUTH_TOKENS: 'alice-token-1=alice,bob-token-22=bob',
        DEFAULT_KNOWLEDGE_BASE: 'none',
        HEARTBEAT_MS: '200',
        LOG_LEVEL: 'warn',
      };
      // One first, so the schema is made once; then the other two together.
      const dataDir = () => {
        const dir = mkdtempSync(join(tmpdir(), 'threadline-engine-instance-'));
        dataDirs.push(dir);
        return dir;
      };
      instances.push(await startServerProcess({ ...environment, DATA_DIR: dataDir() }));
      instances.push(
        ...(await Promise.all([
          startServerProcess({ ...environment, DATA_DIR: dataDir() }),
          startServerProcess({ ...environment, DATA_DIR: dataDir() }),
        ])),
      );
      [a, b, c] = instances.map((instance) => instance.baseUrl) as [string, string, string];
    }, 180_000);
    afterAll(async () => {
      for (const instance of instances) {
        if (instance.child.exitCode === null && instance.child.signalCode === null)
          await stopServerProcess(instance);
      }
      await redis?.stop();
      await llm?.close();
      await postgres?.stop();
      for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    });

    const createStore = async (baseUrl: string, name: string) => {
      const response = await postJson(`${baseUrl}${apiPaths.vectorStores}`, { name }, { headers: alice });
      expect(response.status).toBe(201);
      return vectorStoreSummarySchema.parse(await response.json()).id;
    };
    const uploadV1 = async (baseUrl: string, name: string, text: string) => {
      const form = new FormData();
      form.append('purpose', 'assistants');
      form.append('file', new Blob([text]), name);
      const response = await fetch(`${baseUrl}/v1/files`, { method: 'POST', headers: alice, body: form });
      expect(response.status).toBe(200);
      return v1File.parse(await response.json()).id;
    };
    const jobsTaken = async (baseUrl: string) => {
      const health = healthSchema.parse(await (await fetch(`${baseUrl}${apiPaths.health}`)).json());
      const taken = /(\d+) ingestion job\(s\) taken/.exec(health.engine.detail ?? '')?.[1];
      expect(taken, `/health on ${baseUrl} reports jobs taken: ${health.engine.detail}`).toBeDefined();
      return Number(taken);
    };
    const ask = async (baseUrl: string, body: object) => {
      const response = await postJson(`${baseUrl}${apiPaths.chatStream}`, body, { headers: alice });
      const events: AssistantStreamEvent[] = [];
      for await (const event of readEvents(response)) events.push(event);
      return { status: response.status, threadId: String(response.headers.get(threadIdHeader)), events };
    };

    it('a file uploaded on A is searchable on B the moment it is completed; a chat on C cites it', async () => {
      const store = await createStore(a, 'harbour');
      const fileId = await uploadV1(a, 'harbour.md', harbour);
      const attached = await postJson(
        `${a}/v1/vector_stores/${store}/files`,
        { file_id: fileId },
        { headers: alice },
      );
      expect(attached.status).toBe(200);

      // Polled on B; the search runs on B as soon as B reports `completed`, with no wait between.
      await eventually(
        async () => {
          const response = await fetch(`${b}/v1/vector_stores/${store}/files/${fileId}`, { headers: alice });
          const status = v1StoreFile.parse(await response.json()).status;
          expect(status).not.toBe('failed');
          return status === 'completed' ? true : undefined;
        },
        30_000,
        'the file to be completed, seen from B',
      );
      const search = await postJson(
        `${b}/v1/vector_stores/${store}/search`,
        { query: 'When does the pilot boat leave?' },
        { headers: alice },
      );
      expect(search.status).toBe(200);
      expect(v1Search.parse(await search.json()).data[0]).toMatchObject({
        file_id: fileId,
        filename: 'harbour.md',
      });
      // The knowledge API's search on B too (keyword and vector ranks, from the shared indexes).
      const hits = await postJson(
        `${b}${apiPaths.vectorStoreSearch(store)}`,
        { query: 'pilot boat north quay' },
        { headers: alice },
      );
      const results = searchResponseSchema.parse(await hits.json()).data;
      expect(results[0]).toMatchObject({ fileId, keywordRank: 1 });
      expect(results[0]?.vectorRank).not.toBeNull();
      // Each row is Alice's in the database itself (row-level security keeps it hers): the
      // instances connect as a role it binds, and each request's transactions act for its user.
      const admin = new pg.Pool({ connectionString: postgres.adminUrl('instances') });
      try {
        const owners = await admin.query<{ owner: string }>(
          `SELECT owner FROM kb_vector_stores WHERE id = $1 UNION SELECT owner FROM kb_files WHERE id = $2
           UNION SELECT owner FROM kb_file_contents WHERE file_id = $2
           UNION SELECT owner FROM kb_store_files WHERE vector_store_id = $1
           UNION SELECT owner FROM kb_chunks WHERE vector_store_id = $1`,
          [store, fileId],
        );
        expect(owners.rows).toEqual([{ owner: 'alice' }]);
      } finally {
        await admin.end();
      }

      const chat = await ask(c, {
        content: 'When does the pilot boat leave the harbour?',
        vectorStoreIds: [store],
        model: extractiveModelId,
      });
      expect(chat.status).toBe(200);
      expect(chat.events.map((event) => event.event).slice(-2)).toEqual(['thread.run.completed', 'done']);
      const message = finalMessage(chat.events);
      const content = message?.content[0];
      expect(content?.type === 'text' ? content.text.value : '').toContain('pilot boat');
      const cited =
        content?.type === 'text'
          ? content.text.annotations.flatMap((annotation) =>
              annotation.type === 'file_citation' ? [annotation.file_citation.file_id] : [],
            )
          : [];
      expect(cited).toContain(fileId);
    }, 90_000);

    it('a user’s store made on A is missing (404) for another user on B, and theirs on C', async () => {
      const store = await createStore(a, 'private');
      const asBob = await fetch(`${b}${apiPaths.vectorStoreFiles(store)}`, { headers: bob });
      expect(asBob.status).toBe(404);
      const asBobV1 = await fetch(`${b}/v1/vector_stores/${store}`, { headers: bob });
      expect(asBobV1.status).toBe(404);
      const search = await postJson(
        `${b}${apiPaths.vectorStoreSearch(store)}`,
        { query: 'x' },
        { headers: bob },
      );
      expect(search.status).toBe(404);
      const asAlice = await fetch(`${c}${apiPaths.vectorStoreFiles(store)}`, { headers: alice });
      expect(asAlice.status).toBe(200);
      expect(knowledgeFileListSchema.parse(await asAlice.json()).data).toEqual([]);
    });

    it('shares a batch’s ingestion among all three: each takes jobs from the queue', async () => {
      const before = await Promise.all([a, b, c].map(jobsTaken));
      const store = await createStore(b, 'manuals');
      const fileIds: string[] = [];
      for (let index = 0; index < 12; index += 1)
        fileIds.push(await uploadV1(a, `manual-${index}.md`, manual(index)));
      const batch = await postJson(
        `${a}/v1/vector_stores/${store}/file_batches`,
        { file_ids: fileIds },
        { headers: alice },
      );
      expect(batch.status).toBe(200);
      await eventually(
        async () => {
          const response = await fetch(`${c}${apiPaths.vectorStoreFiles(store)}`, { headers: alice });
          const files = knowledgeFileListSchema.parse(await response.json()).data;
          expect(files.filter((file) => file.status === 'failed')).toEqual([]);
          return files.length === fileIds.length && files.every((file) => file.status === 'completed')
            ? true
            : undefined;
        },
        120_000,
        'the batch to be ingested',
      );
      const after = await Promise.all([a, b, c].map(jobsTaken));
      const taken = after.map((count, index) => count - (before[index] ?? 0));
      expect(
        taken.reduce((sum, count) => sum + count, 0),
        `jobs taken by A, B, C: ${taken.join(', ')}`,
      ).toBe(fileIds.length);
      for (const count of taken)
        expect(count, `jobs taken by A, B, C: ${taken.join(', ')}`).toBeGreaterThan(0);
    }, 180_000);

    // Last: it kills A.
    it('kills A mid-run: B ends the run within the run lease, and the thread takes a new message', async () => {
      // Knowledge the question finds, so the (slow) model is asked to write.
      const store = await createStore(a, 'crash');
      const fileId = await uploadV1(a, 'harbour.md', harbour);
      await postJson(`${a}/v1/vector_stores/${store}/files`, { file_id: fileId }, { headers: alice });
      await eventually(
        async () => {
          const response = await fetch(`${a}/v1/vector_stores/${store}/files/${fileId}`, { headers: alice });
          return v1StoreFile.parse(await response.json()).status === 'completed' ? true : undefined;
        },
        30_000,
        'the file to be completed',
      );
      const response = await postJson(
        `${a}${apiPaths.chatStream}`,
        { content: 'When does the pilot boat leave the harbour?', vectorStoreIds: [store], model: slowModel },
        { headers: alice },
      );
      const threadId = String(response.headers.get(threadIdHeader));
      let runId = '';
      let deltas = 0;
      for await (const event of readEvents(response)) {
        if (event.event === 'thread.run.created') runId = event.data.id;
        if (event.event === 'thread.message.delta' && ++deltas === 5) break;
      }
      expect(runId).not.toBe('');
      const crashed = Date.now();
      instances[0]?.child.kill('SIGKILL');
      const runOnB = async () =>
        v1Run.parse(
          await (await fetch(`${b}/v1/threads/${threadId}/runs/${runId}`, { headers: alice })).json(),
        );
      expect((await runOnB()).status).toBe('in_progress');

      // B ends it (its lease lapsed: A renews no more), as OpenAI's lifecycle allows, and the
      // thread takes a message on B at once after that.
      const added = await eventually(
        async () => {
          const attempt = await postJson(
            `${b}/v1/threads/${threadId}/messages`,
            { role: 'user', content: 'Still there?' },
            { headers: alice },
          );
          if (attempt.status === 200) return attempt;
          expect(attempt.status, await attempt.text()).toBe(400); // the thread is busy until then
          await new Promise((resolve) => setTimeout(resolve, 250));
          return undefined;
        },
        runLeaseMs + 15_000,
        'the thread to take a new message on B',
      );
      expect(added.status).toBe(200);
      const ended = await runOnB();
      expect(['failed', 'expired']).toContain(ended.status);
      expect(Date.now() - crashed).toBeLessThan(runLeaseMs + 10_000);
      const runs = v1Runs.parse(
        await (await fetch(`${c}/v1/threads/${threadId}/runs`, { headers: alice })).json(),
      );
      expect(runs.data.filter((run) => ['queued', 'in_progress'].includes(run.status))).toEqual([]);

      // And a new turn on C over the same thread completes.
      const next = await ask(c, { content: 'And now?', threadId, model: 'conformance' });
      expect(next.status).toBe(200);
      expect(next.events.map((event) => event.event).slice(-2)).toEqual(['thread.run.completed', 'done']);
    }, 120_000);
  },
);
