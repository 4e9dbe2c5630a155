import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths, knowledgeFileListSchema, vectorStoreSummarySchema } from '@threadline/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';
import { waitUntil } from './helpers/wait-until.js';

/** An OpenAI-compatible LLM that types one word every 100 ms for a minute: streams outlast any grace. */
function endlessLlm(): Server {
  return createServer((request, response) => {
    request.resume();
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    let index = 0;
    const timer = setInterval(() => {
      const chunk = {
        id: 'chatcmpl_1',
        object: 'chat.completion.chunk',
        created: 1,
        model: 'slow',
        choices: [{ index: 0, delta: { content: `word${index} ` }, finish_reason: null }],
      };
      index += 1;
      response.write(`data: ${JSON.stringify(chunk)}\n\n`);
    }, 100);
    response.on('close', () => clearInterval(timer));
    setTimeout(() => response.end('data: [DONE]\n\n'), 60_000).unref();
  });
}

/**
 * SIGTERM while streams (chat, legacy NDJSON and /v1) run past SHUTDOWN_GRACE_MS: the process
 * cancels them, closes the database (no -wal/-shm left) and exits 0.
 */
describe('SIGTERM with streams outlasting the grace period', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-sigterm-'));
  const llm = endlessLlm();
  let server: ServerProcess;
  beforeAll(async () => {
    await new Promise<void>((resolve) => llm.listen(0, '127.0.0.1', resolve));
    const llmPort = (llm.address() as AddressInfo).port;
    server = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      AUTH_TOKENS: '',
      SHUTDOWN_GRACE_MS: '300',
      LLM_BASE_URL: `http://127.0.0.1:${llmPort}/v1`,
    });
  });
  afterAll(async () => {
    if (server.child.exitCode === null) server.child.kill('SIGKILL');
    llm.closeAllConnections();
    await new Promise((resolve) => llm.close(resolve));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('exits 0 and leaves the database closed', async () => {
    const { baseUrl } = server;
    const post = (path: string, body: unknown) =>
      fetch(`${baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const store = vectorStoreSummarySchema.parse(
      await (await post(apiPaths.vectorStores, { name: 'kb' })).json(),
    );
    const form = new FormData();
    form.append('file', new Blob(['# Meals\n\nMeals are reimbursed up to 60 euros a day.\n']), 'meals.md');
    await fetch(`${baseUrl}${apiPaths.vectorStoreFiles(store.id)}`, { method: 'POST', body: form });
    await waitUntil(
      async () => {
        const files = knowledgeFileListSchema.parse(
          await (await fetch(`${baseUrl}${apiPaths.vectorStoreFiles(store.id)}`)).json(),
        );
        return files.data.every((file) => file.status === 'completed');
      },
      20_000,
      'ingestion',
    );

    const chat = await post(apiPaths.chatStream, {
      content: 'How much are meals?',
      vectorStoreIds: [store.id],
    });
    const legacyThread = z
      .object({ threadId: z.string() })
      .parse(await (await post(apiPaths.legacy.threads, {})).json());
    const legacy = await post(apiPaths.legacy.messages(legacyThread.threadId), { content: 'Meals?' });
    const v1 = await post('/v1/threads/runs', {
      assistant_id: 'asst_threadline',
      stream: true,
      thread: { messages: [{ role: 'user', content: 'Meals?' }] },
      tool_resources: { file_search: { vector_store_ids: [store.id] } },
    });
    const bodies = [chat, legacy, v1].map(async (response) => {
      expect(response.status).toBe(200);
      return response.text();
    });
    // Every stream is answering by now (the LLM types for a minute).
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const exit = new Promise<number | null>((resolve) => server.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    const code = await exit;
    expect(code, server.output()).toBe(0);
    const texts = await Promise.all(bodies);
    expect(texts[0]).toContain('thread.run.cancelled');
    expect(existsSync(join(dataDir, 'threadline.db'))).toBe(true);
    expect(existsSync(join(dataDir, 'threadline.db-wal'))).toBe(false);
    expect(existsSync(join(dataDir, 'threadline.db-shm'))).toBe(false);
  }, 60_000);
});
