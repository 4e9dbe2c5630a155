// `npm run dev`: the server with reload on change, and Vite's dev server proxying to it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const children = [
  spawn(process.execPath, ['--import', 'tsx', '--watch', 'server/src/server.ts'], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(npm, ['run', 'dev', '-w', 'web'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  }),
];
const stop = () => children.forEach((child) => child.kill('SIGTERM'));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
for (const child of children)
  child.on('exit', (code) => {
    stop();
    process.exitCode = code ?? 0;
  });
