import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { apiPaths } from '@threadline/shared';
import { freePort } from '../../../scripts/mongo-test-server/start.mjs';
import { waitUntil } from './wait-until.js';

const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

export type ServerProcess = {
  child: ChildProcess;
  baseUrl: string;
  /** What the process wrote to standard output, then standard error, so far. */
  output: () => string;
  /** How many chunks standard output has arrived in so far. */
  stdoutChunks: () => number;
};

/**
 * `server/src/server.ts` in a process of its own, as users start it, on a free port of 127.0.0.1
 * with `env` on top of this process's environment; resolves once `/health` answers. On the
 * hashed embeddings unless `env` says otherwise, so no test process fetches or loads the model.
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/src/server.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', EMBEDDINGS: 'hash', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let stdoutChunks = 0;
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    stdoutChunks += 1;
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitUntil(
      async () => {
        if (child.exitCode !== null) throw new Error(`server exited: ${stdout}${stderr}`);
        return fetch(`${baseUrl}${apiPaths.health}`).then(
          (response) => response.ok,
          () => false,
        );
      },
      60_000,
      'the server to listen',
    );
  } catch (error) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw error;
  }
  return { child, baseUrl, output: () => stdout + stderr, stdoutChunks: () => stdoutChunks };
}

/** Stops the server as an operator would (SIGTERM) and waits for it to exit. */
export async function stopServerProcess(server: ServerProcess): Promise<void> {
  if (server.child.exitCode !== null) return;
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
}

export type ServerExit = { code: number | null; stdout: string; stderr: string };

/**
 * `server/src/server.ts` in a process of its own that is expected not to start: resolves with its
 * exit code and output once it exits (or kills it and fails after `timeoutMs`). `nodeArgs` come
 * before tsx (e.g. `--import` of a stand-in for the network).
 */
export async function runServerToExit(
  env: Record<string, string>,
  { nodeArgs = [], timeoutMs = 60_000 }: { nodeArgs?: string[]; timeoutMs?: number } = {},
): Promise<ServerExit> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'server/src/server.ts'], {
    cwd: repositoryRoot,
    env: { ...process.env, HOST: '127.0.0.1', EMBEDDINGS: 'hash', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const code = await new Promise<number | null>((resolve) =>
    child.once('close', (exitCode) => resolve(exitCode)),
  );
  clearTimeout(timer);
  return { code, stdout, stderr };
}
