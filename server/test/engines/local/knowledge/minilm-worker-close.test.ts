import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isModelTestSkipped, testModelDir } from '../../../helpers/embedding-model.js';

const dataDir = mkdtempSync(join(tmpdir(), 'threadline-worker-close-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const module = (path: string) => JSON.stringify(new URL(path, import.meta.url).href);

/**
 * In a process of its own, as closing it could abort the process: starts the embedding worker and
 * closes it at once and at each step of its first second, while onnxruntime loads the model and
 * runs its warm-up. A worker thread terminated inside onnxruntime aborted the whole process
 * ("terminate called after throwing an instance of 'Napi::Error'"), 6 times in 10 closes between
 * 400 and 850 ms: a server stopped in its first second exited with SIGABRT.
 */
const probe = `
const { MinilmWorkerClient } = await import(${module('../../../../src/engines/local/knowledge/embed/minilm/minilm-worker-client.ts')});
const settings = {
  modelPath: ${JSON.stringify(join(testModelDir ?? '', 'model.onnx'))},
  vocabularyPath: new URL(${module('../../../../src/engines/local/knowledge/embed/minilm/vocab.txt')}).pathname,
  intraOpThreads: 1,
};
for (const delay of [0, 150, 300, 400, 500, 600, 700, 800, 1000]) {
  const client = new MinilmWorkerClient(settings);
  await new Promise((resolve) => setTimeout(resolve, delay));
  await client.close();
  await client.embedQueries(['after close']).then(
    () => { throw new Error('a closed worker answered'); },
    () => {},
  );
}
process.stdout.write('closed cleanly');
`;

describe.skipIf(isModelTestSkipped)('the embedding worker', () => {
  it('closes without aborting the process while the model loads and warms up', () => {
    const script = join(dataDir, 'close.mjs');
    writeFileSync(script, probe);
    const result = spawnSync(process.execPath, ['--import', 'tsx', script], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.stderr).not.toContain('terminate called');
    expect(result.signal).toBeNull();
    expect(result.status).toBe(0);
    expect(result.stdout).toBe('closed cleanly');
  }, 70_000);
});
