import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { apiPaths, type VectorStoreSummary } from '@threadline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/mongo-test-server/start.mjs';
import { isModelTestSkipped, testModelDir } from './helpers/embedding-model.js';
import { waitUntil } from './helpers/wait-until.js';

const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'threadline-compiled-start-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The command line of `pid`'s first child, from /proc (Linux). */
function childCommandLine(pid: number): string[] {
  const [childPid] = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
  if (!childPid) return [];
  return readFileSync(`/proc/${childPid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/**
 * `npm start` as an operator runs it (scripts/start.mjs, building the server and the web app when
 * they are older than their sources): the server it starts is the compiled JavaScript, with no
 * TypeScript loader, and the parts started by path work compiled too — the document reader's child
 * process (ingesting the sample knowledge base) and the embedding model's worker thread.
 */
describe('npm start', () => {
  const start = async (env: Record<string, string>) => {
    const port = await freePort();
    const child = spawn(process.execPath, ['scripts/start.mjs'], {
      cwd: repositoryRoot,
      env: {
        ...process.env,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: mkdtempSync(join(scratch, 'data-')),
        LOG_LEVEL: 'info',
        LOG_FORMAT: 'json',
        MONGODB_URI: '',
        AUTH_TOKENS: '',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const baseUrl = `http://127.0.0.1:${port}`;
    // A build may come first (about a minute on a busy 2-core machine).
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited: ${output}`);
        return fetch(`${baseUrl}${apiPaths.health}`).then(
          (response) => response.ok,
          () => false,
        );
      },
      240_000,
      'npm start to answer /health',
    );
    const stop = async () => {
      child.kill('SIGTERM');
      return exited;
    };
    return { child, baseUrl, output: () => output, stop };
  };

  it('runs the compiled server, and its document reader child ingests the sample', async () => {
    const server = await start({ EMBEDDINGS: 'hash', DEFAULT_KNOWLEDGE_BASE: 'sample' });
    try {
      const commandLine = childCommandLine(server.child.pid ?? 0);
      expect(commandLine).toContain('--conditions=threadline-compiled');
      expect(commandLine.at(-1)).toBe(join(repositoryRoot, 'server/dist/server.js'));
      expect(commandLine.join(' ')).not.toMatch(/tsx/);

      let store: VectorStoreSummary | undefined;
      await waitUntil(
        async () => {
          const response = await fetch(`${server.baseUrl}${apiPaths.vectorStores}`);
          store = ((await response.json()) as { data: VectorStoreSummary[] }).data[0];
          return store !== undefined && store.fileCounts.in_progress === 0 && store.fileCounts.total > 0;
        },
        120_000,
        'the sample knowledge base to be ingested',
      );
      expect(store?.fileCounts.failed).toBe(0);
      expect(store?.fileCounts.completed).toBe(store?.fileCounts.total);
      expect(await server.stop()).toBe(0);
    } finally {
      if (server.child.exitCode === null) server.child.kill('SIGKILL');
    }
  }, 400_000);

  it.skipIf(isModelTestSkipped)(
    'runs the embedding model in its compiled worker',
    async () => {
      const server = await start({
        EMBEDDINGS: 'minilm',
        EMBEDDING_MODEL_DIR: testModelDir ?? '',
        DEFAULT_KNOWLEDGE_BASE: 'none',
      });
      try {
        await waitUntil(
          () => server.output().includes('"embedding model loaded"'),
          60_000,
          'the model to load',
        );
        expect(server.output()).toContain('all-MiniLM-L6-v2-int8/w128+summary');
        expect(await server.stop()).toBe(0);
      } finally {
        if (server.child.exitCode === null) server.child.kill('SIGKILL');
      }
    },
    400_000,
  );
});
