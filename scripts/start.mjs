// `npm start`: build the web app when it is missing or older than its sources, then run the server
// on the embedded defaults (local engine, SQLite under ./data, no keys, no network).
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

const builtIndex = join(root, 'web/dist/index.html');
const isStale =
  !existsSync(builtIndex) ||
  statSync(builtIndex).mtimeMs < Math.max(newest(join(root, 'web/src')), newest(join(root, 'shared/src')));
if (isStale) {
  process.stdout.write('Building the web app…\n');
  const build = spawnSync(npm, ['run', 'build', '--silent'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

const envFile = join(root, '.env');
const nodeArgs = ['--import', 'tsx', ...(existsSync(envFile) ? [`--env-file=${envFile}`] : [])];
const server = spawn(process.execPath, [...nodeArgs, join(root, 'server/src/server.ts')], {
  cwd: root,
  stdio: 'inherit',
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.kill(signal));
server.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
