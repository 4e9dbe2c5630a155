// `npm run bench:startup`: time from starting the server process to its first 200 from /health,
// the compiled server (what `npm start` runs) against its TypeScript through tsx (what `npm start`
// ran before, and `npm run dev` runs), alternating, on one data folder (the sample knowledge base
// loaded by the first start). Builds the server first when it is older than its sources.
// Usage: npm run bench:startup [-- rounds]
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const rounds = Number(process.argv[2] ?? 5);
const ways = {
  compiled: ['--conditions=threadline-compiled', '--enable-source-maps', 'server/dist/server.js'],
  tsx: ['--import', 'tsx', 'server/src/server.ts'],
};

const build = spawnSync(process.execPath, [join(root, 'scripts/build-server.mjs')], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

const port = await new Promise((resolve) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port: free } = probe.address();
    probe.close(() => resolve(free));
  });
});
const dataDir = mkdtempSync(join(tmpdir(), 'threadline-bench-startup-'));
const env = {
  ...process.env,
  PORT: String(port),
  HOST: '127.0.0.1',
  DATA_DIR: dataDir,
  LOG_FORMAT: 'json',
  LOG_LEVEL: 'warn',
};

async function timeToHealth(args) {
  const started = performance.now();
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'ignore' });
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    const isUp = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (isUp) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const milliseconds = performance.now() - started;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
  return milliseconds;
}

try {
  await timeToHealth(ways.compiled); // the first start loads the sample knowledge base: not counted
  const times = { compiled: [], tsx: [] };
  for (let round = 0; round < rounds; round += 1)
    for (const [name, args] of Object.entries(ways)) times[name].push(await timeToHealth(args));
  const median = (values) => [...values].sort((left, right) => left - right)[Math.floor(values.length / 2)];
  const [compiled, tsx] = [median(times.compiled), median(times.tsx)];
  console.log(`time to /health, median of ${rounds} (load average ${loadavg()[0].toFixed(1)}):`);
  console.log(`  tsx (baseline)  ${Math.round(tsx)} ms  (${times.tsx.map(Math.round).join(', ')})`);
  console.log(`  compiled        ${Math.round(compiled)} ms  (${times.compiled.map(Math.round).join(', ')})`);
  console.log(`  compiled / tsx  ${(compiled / tsx).toFixed(2)}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
