import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import OpenAI, { toFile } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { slowModel, startConformanceLlm } from './helpers/conformance-llm.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

/**
 * The conformance suite: /v1 driven through the official SDKs — openai-node (the project's
 * version) and openai-python (the latest, from a venv `.ci/run` installs) — over real HTTP
 * against a real server process, with a deterministic chat-completions double on loopback.
 */
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const llmModel = 'conformance-model';
const pythonScript = fileURLToPath(new URL('./python/conformance.py', import.meta.url));

/** A Python that can `import openai`: THREADLINE_TEST_PYTHON, else the venv `.ci/run` makes. */
function findPython(): { python: string } | { problem: string } {
  const python =
    process.env.THREADLINE_TEST_PYTHON ?? join(homedir(), '.cache', 'threadline', 'venv', 'bin', 'python');
  if (!existsSync(python)) return { problem: `no Python at ${python} (set THREADLINE_TEST_PYTHON)` };
  try {
    execFileSync(python, ['-c', 'import openai'], { stdio: 'ignore' });
    return { python };
  } catch {
    return { problem: `${python} cannot import openai (pip install openai into it)` };
  }
}

const pythonFound = findPython();
if ('problem' in pythonFound && !isCi) {
  process.stderr.write(
    `\n${'!'.repeat(78)}\nopenai-python conformance SKIPPED: ${pythonFound.problem}.\n${'!'.repeat(78)}\n\n`,
  );
}

describe('/v1 conformance through the official SDKs, against a server process', () => {
  let llm: Awaited<ReturnType<typeof startConformanceLlm>>;
  let server: ServerProcess;
  let client: OpenAI;
  let baseURL: string;
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-conformance-'));

  beforeAll(async () => {
    llm = await startConformanceLlm();
    server = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ENGINE: 'local',
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: llmModel,
      AUTH_TOKENS: '',
      MONGODB_URI: '',
    });
    baseURL = `${server.baseUrl}/v1`;
    client = new OpenAI({ baseURL, apiKey: 'conformance', maxRetries: 0 });
  }, 90_000);

  afterAll(async () => {
    if (server.child.exitCode === null) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    await llm.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf('problem' in pythonFound && !isCi)(
    'openai-python (latest): every check of server/test/python/conformance.py passes',
    async () => {
      if ('problem' in pythonFound) throw new Error(`CI needs openai-python: ${pythonFound.problem}`);
      const child = spawn(pythonFound.python, [pythonScript], {
        env: {
          ...process.env,
          THREADLINE_BASE_URL: baseURL,
          THREADLINE_LLM_MODEL: llmModel,
          THREADLINE_SLOW_MODEL: slowModel,
          PYTHONUNBUFFERED: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output).toBe(0);
      expect(output).toContain('python conformance: all checks passed');
    },
    120_000,
  );

  describe('openai-node (the project’s version)', () => {
    const hotels = '# Hotels\n\nThe hotel cap is 150 euros per night in every city.\n';
    const parking = '# Parking\n\nVisitors park on level two of the north garage.\n';
    const answerOf = async (threadId: string) => {
      const [message] = (await client.beta.threads.messages.list(threadId, { limit: 1 })).data;
      return message?.content[0]?.type === 'text' ? message.content[0].text.value : '';
    };
    let knowledgeAssistant: OpenAI.Beta.Assistant;

    beforeAll(async () => {
      const store = await client.vectorStores.create({ name: 'node-knowledge' });
      const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, {
        files: [await toFile(Buffer.from(hotels), 'hotels.md')],
      });
      expect(batch.status).toBe('completed');
      knowledgeAssistant = await client.beta.assistants.create({
        model: 'threadline-extractive',
        tools: [{ type: 'file_search' }],
        tool_resources: { file_search: { vector_store_ids: [store.id] } },
      });
    });

    it('creates, reads, updates, lists and deletes every kind of object', async () => {
      const file = await client.files.create({
        file: await toFile(Buffer.from(parking), 'p.md'),
        purpose: 'assistants',
      });
      const store = await client.vectorStores.create({ name: 'crud', file_ids: [file.id] });
      const storeFile = await client.vectorStores.files.poll(store.id, file.id, { pollIntervalMs: 20 });
      expect(storeFile.status).toBe('completed');
      expect((await client.vectorStores.update(store.id, { name: 'renamed' })).name).toBe('renamed');
      expect((await client.vectorStores.files.delete(file.id, { vector_store_id: store.id })).deleted).toBe(
        true,
      );
      expect((await client.vectorStores.delete(store.id)).deleted).toBe(true);
      const assistant = await client.beta.assistants.create({ model: 'threadline-extractive' });
      expect((await client.beta.assistants.update(assistant.id, { name: 'n' })).name).toBe('n');
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'hi' }] });
      const [message] = (await client.beta.threads.messages.list(thread.id)).data;
      await client.beta.threads.messages.update(message?.id ?? '', {
        thread_id: thread.id,
        metadata: { a: 'b' },
      });
      expect(
        (await client.beta.threads.messages.delete(message?.id ?? '', { thread_id: thread.id })).deleted,
      ).toBe(true);
      expect((await client.beta.threads.delete(thread.id)).deleted).toBe(true);
      expect((await client.beta.assistants.delete(assistant.id)).deleted).toBe(true);
      expect((await client.files.delete(file.id)).deleted).toBe(true);
      await expect(client.files.retrieve(file.id)).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    });

    it('pages both ways', async () => {
      const thread = await client.beta.threads.create();
      const ids: string[] = [];
      for (let index = 0; index < 5; index += 1)
        ids.push(
          (await client.beta.threads.messages.create(thread.id, { role: 'user', content: `m${index}` })).id,
        );
      const page = await client.beta.threads.messages.list(thread.id, {
        order: 'asc',
        limit: 2,
        before: ids[3] ?? '',
      });
      expect(page.data.map((message) => message.id)).toEqual(ids.slice(1, 3));
      expect(page.hasNextPage()).toBe(true);
      const all: string[] = [];
      for await (const message of client.beta.threads.messages.list(thread.id, { order: 'asc', limit: 2 }))
        all.push(message.id);
      expect(all).toEqual(ids);
    });

    it('finishes createAndPoll within a second for a fast run', async () => {
      const thread = await client.beta.threads.create({
        messages: [{ role: 'user', content: 'What is the hotel cap per night?' }],
      });
      const started = performance.now();
      const run = await client.beta.threads.runs.createAndPoll(thread.id, {
        assistant_id: knowledgeAssistant.id,
      });
      expect(run.status).toBe('completed');
      expect(performance.now() - started).toBeLessThan(1000);
      expect(await answerOf(thread.id)).toContain('150 euros');
    });

    it('calls a function through the stream handlers and submits its output as a stream', async () => {
      const assistant = await client.beta.assistants.create({
        model: llmModel,
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      });
      const thread = await client.beta.threads.create({ messages: [{ role: 'user', content: 'Weather?' }] });
      const seen: string[] = [];
      let continuation: ReturnType<typeof client.beta.threads.runs.submitToolOutputsStream> | undefined;
      const stream = client.beta.threads.runs
        .stream(thread.id, { assistant_id: assistant.id })
        .on('toolCallCreated', (call) => seen.push(`created:${call.type}`))
        .on('toolCallDelta', (delta) => seen.push(`delta:${delta.type}`))
        .on('toolCallDone', (call) => {
          if (call.type !== 'function') return;
          seen.push(`done:${call.function.name}:${call.function.arguments}`);
          const runId = stream.currentRun()?.id ?? '';
          continuation = client.beta.threads.runs.submitToolOutputsStream(runId, {
            thread_id: thread.id,
            tool_outputs: [{ tool_call_id: call.id, output: 'sunny' }],
          });
        });
      expect((await stream.finalRun()).status).toBe('requires_action');
      expect(seen).toEqual(['created:function', 'delta:function', 'done:get_weather:{"city":"Oslo"}']);
      expect((await continuation?.finalRun())?.status).toBe('completed');
      expect(await answerOf(thread.id)).toBe('The tool said: sunny.');
    });

    it('cancels a run mid-stream', async () => {
      // With something found to ground it, the answer comes from the (slow) model.
      const assistant = await client.beta.assistants.create({
        model: slowModel,
        tools: [{ type: 'file_search' }],
        tool_resources: knowledgeAssistant.tool_resources ?? null,
      });
      const thread = await client.beta.threads.create({
        messages: [{ role: 'user', content: 'What is the hotel cap per night?' }],
      });
      const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
      let cancelled: Promise<OpenAI.Beta.Threads.Run> | undefined;
      stream.on('textDelta', () => {
        cancelled ??= client.beta.threads.runs.cancel(stream.currentRun()?.id ?? '', {
          thread_id: thread.id,
        });
      });
      expect((await stream.finalRun()).status).toBe('cancelled');
      expect((await cancelled)?.status).toMatch(/^cancell(ing|ed)$/);
    });

    it('makes files searchable through attachments and the vector_stores helper', async () => {
      const file = await client.files.create({
        file: await toFile(Buffer.from(parking), 'parking.md'),
        purpose: 'assistants',
      });
      const thread = await client.beta.threads.create({
        messages: [
          {
            role: 'user',
            content: 'Where do visitors park?',
            attachments: [{ file_id: file.id, tools: [{ type: 'file_search' }] }],
          },
        ],
      });
      await client.beta.threads.runs.createAndPoll(thread.id, { assistant_id: knowledgeAssistant.id });
      expect(await answerOf(thread.id)).toContain('level two');
      const helped = await client.beta.threads.create({
        messages: [{ role: 'user', content: 'Where do visitors park?' }],
        tool_resources: { file_search: { vector_stores: [{ file_ids: [file.id] }] } },
      });
      expect(helped.tool_resources?.file_search?.vector_store_ids).toHaveLength(1);
      await client.beta.threads.runs.createAndPoll(helped.id, { assistant_id: knowledgeAssistant.id });
      expect(await answerOf(helped.id)).toContain('level two');
    });

    it('answers 404 and 400 in OpenAI’s error shape', async () => {
      const missing = await client.beta.assistants.retrieve('asst_missing').catch((error: unknown) => error);
      expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
      expect(missing).toMatchObject({
        status: 404,
        error: { type: 'invalid_request_error', param: null, code: null },
      });
      const bogus = await client.beta.assistants
        .create({ model: 'm', bogus_param: 1 } as OpenAI.Beta.AssistantCreateParams)
        .catch((error: unknown) => error);
      expect(bogus).toBeInstanceOf(OpenAI.BadRequestError);
      expect(bogus).toMatchObject({ status: 400, param: 'bogus_param', type: 'invalid_request_error' });
    });
  });
});
