import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { apiPaths } from '@threadline/shared';
import { repoRoot } from './retrieval-corpus.js';

/** The server process and the latency sampling the ingestion benchmarks share. */

const healthEveryMs = 20;
const chatEveryMs = 250;

export type Samples = { health: number[]; firstEvent: number[]; gap: number[] };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The real server (tsx) on a free port over `dataDir`, with `environment` over this process's. */
export async function startServer(
  dataDir: string,
  environment: Record<string, string> = {},
): Promise<{ child: ChildProcess; baseUrl: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'silent',
      AUTH_TOKENS: '',
      RATE_LIMIT_MAX: '1000000',
      ...environment,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 600; attempt += 1) {
    if (child.exitCode !== null) throw new Error('the server exited');
    const isUp = await fetch(`${baseUrl}${apiPaths.health}`).then(
      (response) => response.ok,
      () => false,
    );
    if (isUp) return { child, baseUrl };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the server did not start');
}

/** Samples /health and chat streams until `until` resolves. */
export async function sample(
  baseUrl: string,
  vectorStoreId: string,
  until: Promise<unknown>,
): Promise<Samples> {
  const samples: Samples = { health: [], firstEvent: [], gap: [] };
  let isDone = false;
  const done = () => (isDone = true);
  until.then(done, done);
  const healthLoop = async () => {
    while (!isDone) {
      const started = performance.now();
      await fetch(`${baseUrl}${apiPaths.health}`).then((response) => response.arrayBuffer());
      samples.health.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, healthEveryMs));
    }
  };
  const chatLoop = async () => {
    while (!isDone) {
      const started = performance.now();
      const response = await fetch(`${baseUrl}${apiPaths.chatStream}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({ content: 'How do I rate limit requests?', vectorStoreIds: [vectorStoreId] }),
      });
      let last = started;
      let isFirst = true;
      for await (const chunk of response.body ?? []) {
        void chunk;
        const now = performance.now();
        if (isFirst) samples.firstEvent.push(now - started);
        else samples.gap.push(now - last);
        isFirst = false;
        last = now;
      }
      await new Promise((resolve) => setTimeout(resolve, chatEveryMs));
    }
  };
  await Promise.all([healthLoop(), chatLoop()]);
  return samples;
}

export async function json<T>(response: Response, parse: (value: unknown) => T): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return parse(await response.json());
}
