// `npm start`: build the server and the web app when either is missing or older than its sources,
// then run the compiled server on the embedded defaults (local engine, SQLite under ./data, no keys;
// the only download is the embedding model's, once, unless EMBEDDING_MODEL_DIR or EMBEDDINGS=hash).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

const newest = (directory) => {
  let latest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
};
const isOlderThan = (built, sources) =>
  !existsSync(built) ||
  statSync(built).mtimeMs < Math.max(...sources.map((source) => newest(join(root, source))));
const run = (what, command, args) => {
  process.stdout.write(`Building ${what}…\n`);
  const build = spawnSync(command, args, {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
};

// The stamp is written after a whole server build (scripts/build-server.mjs).
if (isOlderThan(join(root, 'server/dist/.build-stamp'), ['server/src', 'shared/src']))
  run('the server', process.execPath, [join(root, 'scripts/build-server.mjs')]);
if (isOlderThan(join(root, 'web/dist/index.html'), ['web/src', 'shared/src']))
  run('the web app', npm, ['run', 'build', '--silent', '-w', 'web']);

const envFile = join(root, '.env');
const nodeArgs = [
  // @threadline/shared as compiled JavaScript (shared/package.json's exports).
  '--conditions=threadline-compiled',
  // Stack traces name the TypeScript lines, for bug reports.
  '--enable-source-maps',
  ...(existsSync(envFile) ? [`--env-file=${envFile}`] : []),
];
const server = spawn(process.execPath, [...nodeArgs, join(root, 'server/dist/server.js')], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
// A process manager that stops `npm start` signals npm, which passes the signal to the `sh` it ran
// this script under; `sh` ends without passing it on, and this script would live on under init with
// the server. When this script's parent goes away, stop the server as if signalled.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) server.kill('SIGTERM');
}, 500).unref();
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
