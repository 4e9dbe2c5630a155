// `npm run bench`: every benchmark in turn; stops at the first that fails to run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const benches = [
  'bench:retrieval',
  'bench:answers',
  'bench:retrieval-scale',
  'bench:stream',
  'bench:chat-load',
  'bench:persistence',
  'bench:cancel',
  'bench:ingest',
  'bench:startup',
];

for (const bench of benches) {
  process.stdout.write(`\n=== ${bench} ===\n`);
  const { status } = spawnSync(npm, ['run', '--silent', bench], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  if (status !== 0) {
    process.stderr.write(`${bench} failed with exit code ${status}\n`);
    process.exit(status ?? 1);
  }
}
