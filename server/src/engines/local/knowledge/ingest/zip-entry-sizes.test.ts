import { describe, expect, it } from 'vitest';
import { docx, docxBomb } from '../../../../../test/helpers/docx-builder.js';
import { zipEntrySizes, zipLimitProblem, ZipFormatError } from './zip-entry-sizes.js';

const limits = { maxTotalBytes: 64 * 1024 * 1024, maxRatio: 100, ratioFloorBytes: 1024 * 1024 };

describe('zipEntrySizes', () => {
  it('reads the declared sizes without inflating', () => {
    const entries = zipEntrySizes(docx('Hello'));
    expect(entries.map((entry) => entry.name)).toEqual([
      '[Content_Types].xml',
      '_rels/.rels',
      'word/document.xml',
    ]);
    expect(entries[2]?.uncompressedBytes).toBeGreaterThan(100);
    expect(zipLimitProblem(entries, limits)).toBeNull();
  });

  it.each([
    ['empty', Buffer.alloc(0)],
    ['not a zip', Buffer.from('plain text, no archive at all')],
    ['truncated', docx('Hello').subarray(0, 120)],
  ])('rejects %s input', (_name, bytes) => {
    expect(() => zipEntrySizes(bytes)).toThrow(ZipFormatError);
  });

  it('flags a bomb by its ratio and its total', async () => {
    const bomb = await docxBomb(100);
    expect(bomb.length).toBeLessThan(200 * 1024);
    const entries = zipEntrySizes(bomb);
    expect(zipLimitProblem(entries, limits)).toMatch(
      /"word\/document.xml" would inflate \d+ times \(100 MB\)/,
    );
    expect(zipLimitProblem(entries, { ...limits, maxRatio: 10_000 })).toMatch(
      /would inflate to 100 MB; the limit is 64 MB/,
    );
  });
});
