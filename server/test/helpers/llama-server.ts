import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * llama.cpp's own `llama-server` and a small real model (Gemma 3 270M Q4_K_M), as .ci/run builds
 * and fetches them (LLAMA_SERVER_BIN, LLAMA_MODEL_GGUF; else the newest in ~/.cache/threadline).
 * Without them the suite is skipped loudly, except in CI, where that is a failure.
 */
const cache = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'threadline');
export const llamaServerBin = process.env.LLAMA_SERVER_BIN || undefined;
export const llamaModelFile =
  process.env.LLAMA_MODEL_GGUF ||
  (existsSync(join(cache, 'gemma-3-270m-q4_k_m.gguf')) ? join(cache, 'gemma-3-270m-q4_k_m.gguf') : undefined);
const isCi = process.env.CI === 'true' || process.env.CI === '1';

export function isLlamaServerSkipped(suite: string): boolean {
  const missing = [
    ...(llamaServerBin && existsSync(llamaServerBin) ? [] : ['LLAMA_SERVER_BIN (a llama-server binary)']),
    ...(llamaModelFile && existsSync(llamaModelFile) ? [] : ['LLAMA_MODEL_GGUF (gemma-3-270m-q4_k_m.gguf)']),
  ];
  if (missing.length === 0) return false;
  if (isCi) throw new Error(`CI: ${missing.join(' and ')} missing, so "${suite}" cannot run. Failing.`);
  const line = '!'.repeat(78);
  console.warn(
    `\n${line}\nSuite "${suite}" was SKIPPED: ${missing.join(' and ')} not found.\n` +
      `.ci/run builds llama-server and fetches the model into ~/.cache/threadline; export both variables.\n${line}\n`,
  );
  return true;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });

export type LlamaServer = {
  origin: string;
  baseURL: string;
  process: ChildProcess;
  output: () => string;
  close: () => Promise<void>;
};

/** A llama-server on loopback with one slot of `contextTokens` and greedy sampling (reproducible answers). */
export async function startLlamaServer(contextTokens: number, maxAnswerTokens = 64): Promise<LlamaServer> {
  if (!llamaServerBin || !llamaModelFile) throw new Error('llama-server or its model is missing');
  const port = await freePort();
  const child = spawn(
    llamaServerBin,
    [
      ...['-m', llamaModelFile, '-c', String(contextTokens), '-np', '1'],
      ...['--host', '127.0.0.1', '--port', String(port), '-t', '2'],
      ...['--temp', '0', '--seed', '1', '--no-webui'],
      // Answers of at most this many tokens (the server clamps each request's max_tokens): a 270M
      // model on two shared cores writes ~10 tokens a second.
      ...['-n', String(maxAnswerTokens)],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr.on('data', (data: Buffer) => (output += data.toString()));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`llama-server exited (${child.exitCode}):\n${output}`);
    const health = await fetch(`${origin}/health`).catch(() => null);
    if (health?.ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`llama-server not ready in 60 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    origin,
    baseURL: `${origin}/v1`,
    process: child,
    output: () => output,
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
