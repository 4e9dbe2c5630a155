// `npm test`: everything the tests need, then the tests. Builds the server and the web app, starts a
// MongoDB-compatible server (unless MONGODB_URI names one), runs vitest, then the browser tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { resolveMongoTestServer, startMongoTestServer } from './mongo-test-server/start.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const isCi = process.env.CI === 'true' || process.env.CI === '1';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (command, args, env = process.env) =>
  spawnSync(command, args, { cwd: root, stdio: 'inherit', env, shell: process.platform === 'win32' })
    .status ?? 1;
const banner = (text) => process.stdout.write(`\n${'!'.repeat(78)}\n${text}\n${'!'.repeat(78)}\n\n`);

const vitestArgs = process.argv.slice(2);

if (run(npm, ['run', 'build', '--silent']) !== 0) process.exit(1);

let mongo;
let mongoDir;
let mongoUri = process.env.MONGODB_URI;
if (!mongoUri) {
  const server = resolveMongoTestServer();
  if (server) {
    mongoDir = mkdtempSync(join(tmpdir(), 'threadline-mongo-'));
    mongo = await startMongoTestServer({ dataDir: mongoDir, server });
    mongoUri = mongo.uri;
    process.stdout.write(`MongoDB tests run against ${mongo.kind} at ${mongo.uri}\n`);
  } else if (isCi) {
    banner('CI: no MongoDB-compatible server could be started (need FerretDB, or java + mvn). Failing.');
    process.exit(1);
  } else {
    banner(
      'MongoDB tests will be SKIPPED: no MONGODB_URI, no FerretDB, no java + mvn for mongo-java-server.',
    );
  }
}

const env = { ...process.env, THREADLINE_TEST_MONGODB_URI: mongoUri ?? '' };
delete env.MONGODB_URI; // app tests run on the embedded defaults; Mongo suites read the test URI
if (mongo) env.THREADLINE_TEST_MONGODB_KIND = mongo.kind;

const unhandledDir = mkdtempSync(join(tmpdir(), 'threadline-unhandled-'));
env.THREADLINE_UNHANDLED_LOG = join(unhandledDir, 'errors.txt');
let status = run(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', ...vitestArgs], env);
if (existsSync(env.THREADLINE_UNHANDLED_LOG))
  banner(
    `vitest caught unhandled errors (they fail the run):\n\n${readFileSync(env.THREADLINE_UNHANDLED_LOG, 'utf8').trim()}`,
  );
rmSync(unhandledDir, { recursive: true, force: true });

const e2e = join(root, 'scripts/e2e/run.ts');
if (status === 0 && vitestArgs.length === 0 && existsSync(e2e)) {
  status = run(process.execPath, ['--import', 'tsx', e2e], env);
}
// Voice in Chromium (fake microphone, the real speech models): issue #28.
const voiceE2e = join(root, 'scripts/e2e/voice.ts');
if (status === 0 && vitestArgs.length === 0 && existsSync(voiceE2e)) {
  status = run(process.execPath, ['--import', 'tsx', voiceE2e], env);
}

await mongo?.stop();
if (mongoDir) rmSync(mongoDir, { recursive: true, force: true });
if (!mongoUri) banner('Reminder: MongoDB tests were SKIPPED (see above).');
process.exit(status);
