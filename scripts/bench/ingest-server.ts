import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { apiPaths } from '@threadline/shared';
import { repoRoot } from './retrieval-corpus.js';

/** The server process and the latency sampling the ingestion benchmarks share. */

const healthEveryMs = 20;
const chatEveryMs = 250;

/**
 * `eventLoop`: the server's own event-loop delay over the sampled span (ms; perf_hooks'
 * monitorEventLoopDelay at 10 ms resolution, through event-loop-probe.mjs), when it was started
 * with the probe.
 */
export type Samples = {
  health: number[];
  firstEvent: number[];
  gap: number[];
  eventLoop?: EventLoopDelay;
};
export type EventLoopDelay = { p50: number; p99: number; max: number; count: number };

const probePath = fileURLToPath(new URL('./event-loop-probe.mjs', import.meta.url));

/** The server's event-loop delay since the last call (resets it); null without the probe. */
export function eventLoopDelay(child: ChildProcess): Promise<EventLoopDelay | null> {
  if (!child.connected) return Promise.resolve(null);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      resolve(null);
    }, 5000);
    const onMessage = (message: unknown) => {
      const reply = message as { type?: string } & EventLoopDelay;
      if (reply.type !== 'event-loop-delay') return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve({ p50: reply.p50, p99: reply.p99, max: reply.max, count: reply.count });
    };
    child.on('message', onMessage);
    child.send({ type: 'event-loop-delay' });
  });
}

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
  // BENCH_CPU_PROF=DIR: the server writes a V8 CPU profile per thread there when it exits.
  const profile = process.env.BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
    : [];
  const child = spawn(
    process.execPath,
    [...profile, '--import', 'tsx', '--import', probePath, 'server/src/server.ts'],
    {
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
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    },
  );
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

/**
 * Samples /health and chat streams until `until` resolves; with `child` (started with the
 * probe), also the server's event-loop delay over the same span.
 */
export async function sample(
  baseUrl: string,
  vectorStoreId: string,
  until: Promise<unknown>,
  child?: ChildProcess,
): Promise<Samples> {
  if (child) await eventLoopDelay(child);
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
  const eventLoop = child ? await eventLoopDelay(child) : null;
  return eventLoop ? { ...samples, eventLoop } : samples;
}

export async function json<T>(response: Response, parse: (value: unknown) => T): Promise<T> {
  if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
  return parse(await response.json());
}
