// `npm run build` (first half): compiles `shared` and the server to JavaScript, which `npm start`
// runs (`npm run dev` and the tests keep running the TypeScript through tsx). The server resolves
// @threadline/shared to shared/dist under the `threadline-compiled` export condition, at compile
// time (customConditions) and at run time (`node --conditions=threadline-compiled`).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
/** Written last: `npm start` rebuilds when a source is newer than it (or it is missing). */
export const buildStamp = join(root, 'server/dist/.build-stamp');

const compile = (project) => {
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, project)], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

/** Files the server reads beside its modules (the tokenizer's vocab.txt), copied as they are. */
function copyAssets(from, to) {
  for (const entry of readdirSync(from, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || /\.(ts|md)$/.test(entry.name)) continue;
    const source = join(entry.parentPath, entry.name);
    const target = join(to, relative(from, source));
    mkdirSync(dirname(target), { recursive: true });
    copyFileSync(source, target);
  }
}

for (const out of ['shared/dist', 'server/dist']) rmSync(join(root, out), { recursive: true, force: true });
compile('shared/tsconfig.build.json');
compile('server/tsconfig.build.json');
copyAssets(join(root, 'server/src'), join(root, 'server/dist'));
writeFileSync(buildStamp, `${new Date().toISOString()}\n`);
