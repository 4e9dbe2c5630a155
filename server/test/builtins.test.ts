import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const dataDir = mkdtempSync(join(tmpdir(), 'threadline-builtins-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);

/**
 * In a process of its own (a test runner has loaded modules of its own): snapshots the standard
 * built-ins, builds the whole app, reads a PDF, closes the app and reports what changed. pdf.js
 * once replaced `Array.prototype.push`, `JSON.parse` and some 20 more with core-js polyfills here,
 * which slowed every request; a dependency that patches built-ins fails this test.
 */
const probe = `
const owners = { Array, Object, Promise, Map, Set, WeakMap, String, Number, BigInt, Boolean, Symbol, Date,
  RegExp, Error, Function, JSON, Math, Reflect, ArrayBuffer, DataView, Uint8Array, URL, Intl };
const snapshot = () => {
  const values = new Map();
  for (const [name, owner] of Object.entries(owners))
    for (const [target, separator] of [[owner, '.'], [owner.prototype, '#']])
      if (target)
        for (const key of Reflect.ownKeys(target)) {
          const descriptor = Object.getOwnPropertyDescriptor(target, key);
          values.set(name + separator + String(key), descriptor.value ?? descriptor.get);
        }
  for (const key of Object.keys(globalThis)) values.set('globalThis.' + key, globalThis[key]);
  return values;
};
const before = snapshot();
const { readFileSync } = await import('node:fs');
const { buildApp } = await import(${module('../src/app.ts')});
const { loadConfig } = await import(${module('../src/config.ts')});
const { parseDocument } = await import(${module('../src/engines/local/knowledge/ingest/parse-document.ts')});
const app = await buildApp(loadConfig({ LOG_LEVEL: 'silent', DATA_DIR: ${JSON.stringify(dataDir)}, EMBEDDINGS: 'hash' }));
await app.ready();
const text = await parseDocument('onboarding.pdf', readFileSync(new URL(${module('./fixtures/knowledge/onboarding.pdf')})));
await app.close();
const after = snapshot();
const changed = [...new Set([...before.keys(), ...after.keys()])].filter((key) => !Object.is(before.get(key), after.get(key)));
process.stdout.write(JSON.stringify({ changed, text }));
`;

describe('the JavaScript built-ins', () => {
  it('are left as Node made them by loading the server and reading a PDF', () => {
    const script = join(dataDir, 'probe.mjs');
    writeFileSync(script, probe);
    const output = execFileSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const { changed, text } = JSON.parse(output) as { changed: string[]; text: string };
    expect(text).toContain('laptop');
    // zod keeps its global registry on globalThis by design; nothing else may change.
    expect(changed.filter((key) => !key.startsWith('globalThis.__zod_'))).toEqual([]);
  });
});
