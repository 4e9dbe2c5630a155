import type { Message, Thread } from '@threadline/shared';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import pg from 'pg';
import { actAs } from '../../../src/common/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKnowledgeBase,
  type KnowledgeBase,
} from '../../../src/engines/local/knowledge/knowledge-base.js';
import { LocalEngine } from '../../../src/engines/local/local-engine.js';
import { newRun } from '../../../src/engines/local/runs/run-objects.js';
import { openSharedEngineState } from '../../../src/engines/local/store/shared-engine-state.js';
import { openDatabase } from '../../../src/sqlite/database.js';
import {
  announcePostgresSkip,
  pgInstallDir,
  startPostgresServer,
  type PostgresTestServer,
} from '../../helpers/postgres-server.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { handbook } from '../../helpers/local-engine-fixture.js';
import { testConfig } from '../../helpers/test-config.js';
import { waitUntil } from '../../helpers/wait-until.js';

announcePostgresSkip('the local engine over PostgreSQL');

const textOf = (message: Message | undefined) =>
  message?.content[0]?.type === 'text' ? message.content[0].text.value : '';

/**
 * Two engines, each with its own data dir (knowledge, owner records), sharing one PostgreSQL
 * database for threads, messages, runs, steps and assistants: what one writes the other reads.
 */
describe.skipIf(pgInstallDir === undefined)('the local engine over PostgreSQL (ENGINE_DATABASE_URL)', () => {
  let server: PostgresTestServer;
  let url: string;
  const opened: { engine: LocalEngine; cleanup: () => void }[] = [];
  // A model server that has begun streaming and holds the answer open (a slow llama-server):
  // the run stays in progress on the first instance until someone cancels it. The role chunk
  // is what llama-server sends first (tools/server: the first delta carries the role).
  const modelServer = setupServer(
    http.get('http://slow-llm.test/props', () =>
      HttpResponse.json({ default_generation_settings: { n_ctx: 8192 }, total_slots: 1 }),
    ),
    http.post('http://slow-llm.test/v1/chat/completions', ({ request }) => {
      const first = { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'slow' };
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const role = { ...first, choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] };
          controller.enqueue(new TextEncoder().encode(`data: ${JSON.stringify(role)}\n\n`));
          request.signal.addEventListener('abort', () => controller.error(new Error('aborted')));
        },
      });
      return new HttpResponse(body, { headers: { 'content-type': 'text/event-stream' } });
    }),
  );
  const slowModel = { LLM_BASE_URL: 'http://slow-llm.test/v1', LLM_MODEL: 'slow' };
  beforeAll(async () => {
    modelServer.listen({ onUnhandledRequest: 'bypass' });
    server = await startPostgresServer();
    url = await server.createDatabase('engine');
  });
  afterAll(async () => {
    for (const { engine, cleanup } of opened) {
      await engine.close();
      cleanup();
    }
    await server?.stop();
    modelServer.close();
  });

  async function openEngine(environment: Record<string, string> = {}): Promise<LocalEngine<KnowledgeBase>> {
    const config = testConfig({ ENGINE_DATABASE_URL: url, ...environment });
    const database = openDatabase(config.DATA_DIR);
    const knowledge = createKnowledgeBase({ database, dataDir: config.DATA_DIR, config });
    const sharedState = await openSharedEngineState(url);
    const engine = new LocalEngine({ database, knowledge, config, ownsDatabase: true, sharedState });
    opened.push({ engine, cleanup: config.cleanup });
    return engine;
  }

  /** What an instance leaves behind when it dies mid-run: a run in progress, leased by it. */
  async function leftByDeadInstance(engine: LocalEngine<KnowledgeBase>, thread: Thread, leaseMs: number) {
    const assistant = await engine.getAssistant('asst_threadline');
    const run = newRun({
      thread,
      assistant,
      model: assistant.model,
      instructions: null,
      tools: [],
      metadata: null,
    });
    await engine.store.runs.insert({ ...run, status: 'in_progress', started_at: run.created_at }, thread.id);
    await engine.store.renewRunLeases([run.id], leaseMs);
    return run;
  }

  /** A thread asking about a handbook in a store: passages to ground on, so the answer goes to
   * the model (with none it is refused without asking the model). */
  async function threadOverHandbook(engine: LocalEngine<KnowledgeBase>) {
    const store = await engine.vectorStores.create({ name: 'Handbook' });
    await engine.vectorStores.addFile(store.id, { fileName: 'travel.md', bytes: Buffer.from(handbook) });
    await engine.knowledge.waitForIngestion(store.id);
    return engine.createThread({
      messages: [{ content: 'How early must flights be booked?' }],
      vectorStoreIds: [store.id],
    });
  }

  // Each user's calls acting for them, as the engine runs within their request: row-level
  // security shows a transaction only the acting user's threads, runs and assistants.
  it('shares threads, runs, steps and assistants between instances', () =>
    actAs('alice', async () => {
      const [first, second] = [await openEngine(), await openEngine()];
      expect(first.identity).toBe(second.identity);
      const thread = await first.createThread({
        messages: [{ content: 'How do I rebase?' }],
        owner: 'alice',
      });
      const { run } = await first.startRun(thread.id, {}, false);
      await first.settle(run.id);

      expect(await second.getThread(thread.id)).toEqual(thread);
      expect(await second.threadOwner(thread.id)).toBe('alice');
      expect(await second.getRun(thread.id, run.id)).toMatchObject({ status: 'completed' });
      const steps = await second.listSteps(thread.id, run.id, { limit: 10, order: 'asc' });
      expect(steps.data.map((step) => [step.type, step.status])).toContainEqual([
        'message_creation',
        'completed',
      ]);
      const messages = await second.listMessages(thread.id, { order: 'asc' });
      expect(messages.map((message) => message.role)).toEqual(['user', 'assistant']);
      // Without knowledge to search, the extractive answer says it found nothing, and says so whole.
      expect(textOf(messages[1])).not.toBe('');
      expect(messages[1]).toMatchObject({ status: 'completed', run_id: run.id });

      const assistant = await actAs('bob', () =>
        second.createAssistant({ model: 'threadline-extractive', name: 'Shared' }, 'bob'),
      );
      expect(await actAs('bob', () => first.getAssistant(assistant.id))).toEqual(assistant);
      expect(
        (await first.listAssistants({ limit: 100, order: 'asc' }, 'alice')).data.map((item) => item.id),
      ).not.toContain(assistant.id);
      // Bob's assistant is not even in Alice's rows: the database, not only the filter, keeps it his.
      await expect(first.getAssistant(assistant.id)).rejects.toMatchObject({ statusCode: 404 });
    }));

  it("keeps another user's transaction from reading, changing or deleting a thread, its messages, runs and steps", async () => {
    const engine = await openEngine();
    const thread = await actAs('alice', async () => {
      const made = await engine.createThread({ messages: [{ content: 'What does git reflog show?' }] });
      const { run } = await engine.startRun(made.id, {}, false);
      await engine.settle(run.id);
      return made;
    });
    const tables = ['engine_threads', 'engine_messages', 'engine_runs', 'engine_run_steps'];
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    const admin = new pg.Client({ connectionString: server.adminUrl('engine') });
    await admin.connect();
    try {
      // The row's owner is the acting user even where the door named it in metadata only.
      const owner = await admin.query<{ owner: string }>('SELECT owner FROM engine_threads WHERE id = $1', [
        thread.id,
      ]);
      expect(owner.rows[0]?.owner).toBe('alice');
      const counts = async (user: string, worker = '') => {
        await client.query('BEGIN');
        await client.query(
          "SELECT set_config('threadline.owner', $1, true), set_config('threadline.worker', $2, true)",
          [user, worker],
        );
        const seen: Record<string, number | null> = {};
        for (const table of tables) {
          const id =
            table === 'engine_threads' ? 'id' : table === 'engine_run_steps' ? 'run_id' : 'thread_id';
          const scope =
            table === 'engine_run_steps'
              ? `run_id IN (SELECT id FROM engine_runs WHERE thread_id = '${thread.id}')`
              : `${id} = '${thread.id}'`;
          seen[table] = (await client.query(`SELECT * FROM ${table} WHERE ${scope}`)).rowCount;
          if (user === 'bob' && !worker) {
            // No WHERE clause at all: still nothing of Alice's to change or delete.
            expect((await client.query(`UPDATE ${table} SET data = data`)).rowCount, table).toBe(0);
            expect((await client.query(`DELETE FROM ${table}`)).rowCount, table).toBe(0);
          }
        }
        await client.query('ROLLBACK');
        return seen;
      };
      expect(await counts('bob')).toEqual({
        engine_threads: 0,
        engine_messages: 0,
        engine_runs: 0,
        engine_run_steps: 0,
      });
      const hers = await counts('alice');
      for (const table of tables) expect(hers[table], table).toBeGreaterThan(0);
      // The lease sweep's view: every run (to renew or end it), with its steps and messages.
      expect(await counts('', 'run-leases')).toEqual(hers);
      expect(await actAs('bob', () => engine.getThread(thread.id))).toBeNull();
      expect(await actAs('alice', () => engine.getThread(thread.id))).toMatchObject({ id: thread.id });
    } finally {
      await client.end();
      await admin.end();
    }
  });

  it('lets another instance add to a thread once a run is cancelled on the first', async () => {
    const [first, second] = [await openEngine(slowModel), await openEngine()];
    const thread = await threadOverHandbook(first);
    // Held open by the slow model, so it is still running when the second instance looks.
    const { run, task } = await first.startRun(thread.id, { model: 'slow' }, false);
    await expect(second.appendMessage(thread.id, { content: 'too soon' })).rejects.toMatchObject({
      code: 'thread_busy',
    });
    await first.cancelActiveRuns(thread.id);
    await task.done;
    expect(await second.getRun(thread.id, run.id)).toMatchObject({ status: 'cancelled' });
    await expect(second.appendMessage(thread.id, { content: 'now' })).resolves.toMatchObject({
      role: 'user',
    });
  });

  it('ends a run whose instance stopped once its lease lapses; the thread then takes a new message', async () => {
    const [first, second] = [await openEngine(), await openEngine()];
    const thread = await first.createThread({ messages: [{ content: 'What does git bisect do?' }] });
    const run = await leftByDeadInstance(first, thread, 60_000);

    // While the lease holds, the run may still be executing over there: the thread is busy.
    await expect(second.appendMessage(thread.id, { content: 'too soon' })).rejects.toMatchObject({
      code: 'thread_busy',
    });
    // The lease lapses (runLeaseMs after the instance's last renewal): the next instance to
    // need the thread ends the run as OpenAI's lifecycle allows, and goes on.
    const client = new pg.Client({ connectionString: server.adminUrl('engine') });
    await client.connect();
    await client.query(
      "UPDATE engine_runs SET lease_until = clock_timestamp() - interval '1 second' WHERE id = $1",
      [run.id],
    );
    await client.end();
    await expect(second.appendMessage(thread.id, { content: 'after the crash' })).resolves.toMatchObject({
      role: 'user',
    });
    expect(await first.getRun(thread.id, run.id)).toMatchObject({
      status: 'failed',
      last_error: { code: 'server_error' },
    });
    const { run: next } = await second.startRun(thread.id, {}, false);
    await second.settle(next.id);
    expect(await first.getRun(thread.id, next.id)).toMatchObject({ status: 'completed' });
  });

  it('cancels a run executing on another instance: a new message there goes on at once', async () => {
    const first = await openEngine(slowModel);
    const second = await openEngine();
    const thread = await threadOverHandbook(first);
    // The shared default assistant may predate this instance's model: name it.
    const { run, task } = await first.startRun(thread.id, { model: 'slow' }, false);
    await waitUntil(
      async () => (await second.getRun(thread.id, run.id)).status === 'in_progress',
      10_000,
      'the run in progress',
    );

    // The second instance does not execute it, yet a send there settles it within a poll or two.
    const started = Date.now();
    await second.cancelActiveRuns(thread.id);
    const waited = Date.now() - started;
    await task.done;
    expect(await second.getRun(thread.id, run.id)).toMatchObject({ status: 'cancelled' });
    // Taken by the executing instance's cancel poll, not by waiting out its lease (30 s, renewed).
    expect(waited).toBeLessThan(5_000);
    await expect(second.appendMessage(thread.id, { content: 'next' })).resolves.toMatchObject({
      role: 'user',
    });
  });

  it('a cancel from another instance waits for a dead instance’s lease, then ends its run', async () => {
    const [first, second] = [await openEngine(), await openEngine()];
    const thread = await first.createThread({ messages: [{ content: 'What does git gc do?' }] });
    // A run its dead instance leased a moment ago: nobody will take the cancel request.
    const run = await leftByDeadInstance(first, thread, 1_500);

    const settled = second.cancelActiveRuns(thread.id);
    // Asked, not yet ended: the lease still holds.
    await waitUntil(
      async () => (await second.store.cancelRequested([run.id])).length === 1,
      10_000,
      'the cancel request',
    );
    expect(await second.getRun(thread.id, run.id)).toMatchObject({ status: 'in_progress' });
    await settled;
    expect(await second.getRun(thread.id, run.id)).toMatchObject({ status: 'failed' });
    await expect(second.appendMessage(thread.id, { content: 'after' })).resolves.toMatchObject({
      role: 'user',
    });
  });

  it('keeps the orchestrator’s streams in order: every event after the write it announces', async () => {
    const engine = await openEngine();
    const thread = await engine.createThread({ messages: [{ content: 'What is a detached HEAD?' }] });
    const seen: string[] = [];
    for await (const event of engine.streamRun(thread.id, {}, new AbortController().signal)) {
      seen.push(event.event);
      if (event.event === 'thread.run.completed') {
        // The run's row says completed by the time its completed event is read.
        expect(await engine.store.runs.get(event.data.id)).toMatchObject({ status: 'completed' });
      }
    }
    expect(seen[0]).toBe('thread.run.created');
    expect(seen.at(-1)).toBe('thread.run.completed');
    expect(seen.indexOf('thread.message.created')).toBeLessThan(seen.indexOf('thread.message.completed'));
  });

  it('runs the app with ENGINE_DATABASE_URL: /v1 writes land in PostgreSQL', async () => {
    let app: TestApp | undefined;
    const client = new pg.Client({ connectionString: server.adminUrl('engine') });
    await client.connect();
    try {
      app = await buildTestApp(testConfig({ ENGINE_DATABASE_URL: url }));
      const created = await app.app.inject({
        method: 'POST',
        url: '/v1/threads',
        payload: { metadata: { via: 'v1' } },
      });
      expect(created.statusCode).toBe(200);
      const { id } = created.json<{ id: string }>();
      const row = await client.query<{ data: { metadata: Record<string, string> } }>(
        'SELECT data FROM engine_threads WHERE id = $1',
        [id],
      );
      expect(row.rows[0]?.data.metadata).toEqual({ via: 'v1' });
      const health = await app.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
    } finally {
      await app?.close();
      await client.end();
    }
  });
});
