import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentKey, fileSha256, readerVersion, type ContentKeyParts } from './content-key.js';

const base: ContentKeyParts = {
  sha256: 'a'.repeat(64),
  fileName: 'guide.md',
  maxTokens: 800,
  overlapTokens: 400,
  model: 'local-hash-256',
};

describe('contentKey', () => {
  it('is the same for the same inputs', () => {
    expect(contentKey({ ...base })).toBe(contentKey(base));
  });

  it('carries the version of the reader, so a file read before a reader change is not copied', () => {
    expect((JSON.parse(contentKey(base)) as unknown[])[0]).toBe(readerVersion);
    expect(readerVersion).not.toBe('v1');
  });

  it.each<[string, Partial<ContentKeyParts>]>([
    ['other bytes', { sha256: 'b'.repeat(64) }],
    ['another name (titles come from it)', { fileName: 'other.md' }],
    ['another chunk size', { maxTokens: 400 }],
    ['another overlap', { overlapTokens: 200 }],
    ['another model', { model: 'all-MiniLM-L6-v2' }],
  ])('differs for %s', (_label, change) => {
    expect(contentKey({ ...base, ...change })).not.toBe(contentKey(base));
  });
});

describe('fileSha256', () => {
  it('hashes the file bytes (the SHA-256 of "abc" from FIPS 180-2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'content-key-'));
    try {
      writeFileSync(join(dir, 'abc'), 'abc');
      expect(await fileSha256(join(dir, 'abc'))).toBe(
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
