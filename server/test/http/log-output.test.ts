import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiPaths } from '@threadline/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { logFlushMs } from '../../src/http/logger.js';
import { startServerProcess } from '../helpers/server-process.js';
import { waitUntil } from '../helpers/wait-until.js';

const dataDir = mkdtempSync(join(tmpdir(), 'threadline-log-output-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

type LogLine = { msg?: string; req?: { url?: string }; signal?: string };

/**
 * The server as users run it, with its own standard output: JSON lines at `info`, written in
 * batches (see logDestination), yet none held back for long and none lost at shutdown.
 */
describe('the log on standard output', () => {
  it('arrives in batches, within the flush interval, and is written out at shutdown', async () => {
    const { child, baseUrl, output, stdoutChunks } = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      LOG_PRETTY: 'false',
      MONGODB_URI: '',
      AUTH_TOKENS: '',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lines = () =>
      output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as LogLine);
    const completed = (url: string) =>
      lines().filter((line) => line.msg === 'request completed' && line.req?.url === url).length;
    try {
      // A lone request's line is not held until a batch fills up: the periodic flush writes it.
      await fetch(`${baseUrl}${apiPaths.models}`);
      const askedAt = Date.now();
      await waitUntil(() => completed(apiPaths.models) === 1, 5_000, 'the line of a lone request');
      expect(Date.now() - askedAt).toBeLessThan(logFlushMs + 1_000);

      // Many lines in a burst leave together, not one write each.
      const chunksBefore = stdoutChunks();
      await Promise.all(Array.from({ length: 40 }, () => fetch(`${baseUrl}${apiPaths.models}`)));
      await waitUntil(() => completed(apiPaths.models) === 41, 5_000, 'the lines of a burst');
      expect(stdoutChunks() - chunksBefore).toBeLessThan(10);

      // Lines logged on the way out are written before the process ends.
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(lines().some((line) => line.msg?.startsWith('shutting down') && line.signal === 'SIGTERM')).toBe(
        true,
      );
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 90_000);
});
