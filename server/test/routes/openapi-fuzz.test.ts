import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, stopServerProcess, type ServerProcess } from '../helpers/server-process.js';

/**
 * schemathesis over the OpenAPI document, against a server process with auth on: every operation
 * fuzzed with generated requests, and every answer must be no server error, a documented status,
 * a documented content type and a body that fits its documented schema. A fixed seed keeps the
 * run reproducible; `.ci/run` installs schemathesis into the venv the SDK suite uses.
 */
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const token = 'fuzz-token-alice';
const seed = '20261203';

function findSchemathesis(): { command: string } | { problem: string } {
  const python =
    process.env.THREADLINE_TEST_PYTHON ?? join(homedir(), '.cache', 'threadline', 'venv', 'bin', 'python');
  const command = join(python, '..', 'schemathesis');
  if (!existsSync(command)) return { problem: `no schemathesis beside ${python} (pip install schemathesis)` };
  try {
    execFileSync(command, ['--version'], { stdio: 'ignore' });
    return { command };
  } catch {
    return { problem: `${command} does not run` };
  }
}

const found = findSchemathesis();
if ('problem' in found && !isCi) {
  process.stderr.write(
    `\n${'!'.repeat(78)}\nOpenAPI fuzzing (schemathesis) SKIPPED: ${found.problem}.\n${'!'.repeat(78)}\n\n`,
  );
}

describe('the OpenAPI document matches what the server does (schemathesis, auth on)', () => {
  let server: ServerProcess;
  const dataDir = mkdtempSync(join(tmpdir(), 'threadline-fuzz-'));

  beforeAll(async () => {
    server = await startServerProcess({
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      ENGINE: 'local',
      AUTH_TOKENS: `${token}=alice`,
      // Thousands of requests from one address: the limits are tested elsewhere.
      RATE_LIMIT_MAX: '1000000',
      AUTH_FAILURE_MAX: '1000000',
      MONGODB_URI: '',
    });
  }, 90_000);

  afterAll(async () => {
    await stopServerProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf('problem' in found && !isCi)(
    'no server error and no answer outside the documented statuses, types and shapes',
    async () => {
      if ('problem' in found) throw new Error(`CI needs schemathesis: ${found.problem}`);
      const child = spawn(
        found.command,
        [
          'run',
          `${server.baseUrl}/docs/json`,
          '--header',
          `Authorization: Bearer ${token}`,
          '--max-examples',
          '15',
          '--seed',
          seed,
          '--checks',
          'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
          '--phases',
          'examples,fuzzing',
          '--request-timeout',
          '20',
          '--no-color',
        ],
        // Run in the temp dir: schemathesis keeps a cache in its working directory.
        { cwd: dataDir, env: { ...process.env, PYTHONUNBUFFERED: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      expect(code, output.slice(-6000)).toBe(0);
      expect(output).toMatch(/(\d+) generated, \1 passed/);
    },
    240_000,
  );
});
