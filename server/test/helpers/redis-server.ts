import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's `redis-server` (`apt-get install redis-server`; .ci/run installs it), if on PATH. */
export const redisServerPath = ((): string | undefined => {
  const found = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
  return found.status === 0 && found.stdout.trim() !== '' ? found.stdout.trim() : undefined;
})();
const isCi = process.env.CI === 'true' || process.env.CI === '1';

/** Without redis-server the suite is skipped loudly, except in CI, where that is a failure. */
export function announceRedisSkip(suite: string): void {
  if (redisServerPath !== undefined) return;
  if (isCi) throw new Error(`CI: redis-server is not installed, so "${suite}" cannot run. Failing.`);
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\nRedis suite "${suite}" was SKIPPED: redis-server is not on PATH.\n` +
      `Install it with \`apt-get install -y redis-server\` (.ci/run does).\n${line}\n`,
  );
}

export type RedisTestServer = {
  url: string;
  port: number;
  pid: number;
  /** SIGKILL, as a crash would; resolves once the process is gone. */
  kill: () => Promise<void>;
  /** Orderly stop and temp dir removal; safe to call after `kill`. */
  stop: () => Promise<void>;
};

/** A throw-away redis-server on 127.0.0.1 (a free port unless given), no persistence, data in a temp dir. */
export async function startRedisServer(port?: number): Promise<RedisTestServer> {
  if (redisServerPath === undefined) throw new Error('redis-server is not installed');
  const chosenPort = port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), 'threadline-redis-'));
  const args = ['--port', String(chosenPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child = spawn(redisServerPath, [...args, '--dir', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitUntilReady(child);
  } catch (error) {
    child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const pid = child.pid ?? 0;
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${chosenPort}`,
    port: chosenPort,
    pid,
    kill: () => signal('SIGKILL'),
    stop: async () => {
      await signal('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function waitUntilReady(child: ChildProcess, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`redis-server exited (${code}) before it was ready:\n${output}`));
    const timer = setTimeout(
      () => finish(new Error(`redis-server not ready in time:\n${output}`)),
      timeoutMs,
    );
    function finish(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining so a chatty server never blocks on a full pipe.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
