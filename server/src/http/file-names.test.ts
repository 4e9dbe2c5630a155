import { describe, expect, it } from 'vitest';
import { attachmentDisposition, uploadFileName } from './file-names.js';

describe('uploadFileName', () => {
  it.each([
    ['guide.md', 'guide.md'],
    ['evil\u0000name.md', 'evilname.md'],
    ['line\r\nbreak.txt', 'linebreak.txt'],
    ['../../etc/passwd.txt', 'passwd.txt'],
    ['C:\\docs\\report.pdf', 'report.pdf'],
    ['  spaced.md  ', 'spaced.md'],
    ['\u202egnp.exe.md', 'gnp.exe.md'],
    ['\u0000\u0001', 'upload'],
    [undefined, 'upload'],
    ['résumé.md', 'résumé.md'],
  ])('%j → %j', (raw, expected) => {
    expect(uploadFileName(raw)).toBe(expected);
  });

  it('keeps at most 255 characters', () => {
    expect([...uploadFileName('é'.repeat(400))]).toHaveLength(255);
  });
});

describe('attachmentDisposition', () => {
  it.each([
    ['guide.md', `attachment; filename="guide.md"; filename*=UTF-8''guide.md`],
    ['résumé (1).md', `attachment; filename="r_sum_ (1).md"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%281%29.md`],
    ['50% "off".md', `attachment; filename="50_ _off_.md"; filename*=UTF-8''50%25%20%22off%22.md`],
    ['nul\u0000.md', `attachment; filename="nul.md"; filename*=UTF-8''nul.md`],
  ])('%j', (name, expected) => {
    const header = attachmentDisposition(name);
    expect(header).toBe(expected);
    // Node refuses header values with control characters or non-Latin-1 text.
    expect(header).toMatch(/^[\x20-\x7e]+$/);
  });
});
