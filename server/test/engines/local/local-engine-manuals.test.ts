import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineWithFiles, type FilesEngine } from '../../helpers/ask-local-engine.js';

// Manuals made by other tools than groff and python-docx (scripts/bench/own-files/README.md):
// valgrind's DocBook XSL page as shipped, its Memcheck chapter printed to PDF by Chromium (date,
// title, address and "n/N" on every page), the Debian Python policy written as Word by pandoc.
const manual = (name: string) =>
  readFileSync(new URL(`../../../../scripts/bench/own-files/manuals/${name}`, import.meta.url));
const names = ['manual-core.html', 'mc-manual.pdf', 'python-policy.docx'];

let files: FilesEngine;

/** Every chunk's text of one file, as the index holds it. */
function chunksOf(fileName: string): string {
  const fileId = [...files.fileNames].find(([, name]) => name === fileName)?.[0];
  const rows = files.database
    .prepare('SELECT text FROM kb_chunks WHERE file_id = ? ORDER BY ordinal')
    .all(fileId) as Array<{ text: string }>;
  return rows.map((row) => row.text).join('\n\n');
}

const ask = (question: string) => files.ask(question);

describe('local engine reads manuals made by DocBook, a browser and pandoc', () => {
  beforeAll(async () => {
    files = await engineWithFiles(
      'Manuals',
      names.map((name) => [name, manual(name)] as const),
    );
  }, 120_000);
  afterAll(() => files.close());

  it('indexes a DocBook page without its navigation tables or contents list', () => {
    const text = chunksOf('manual-core.html');
    expect(text).toContain('--log-file=<filename>');
    // The navigation footer's links and the chapter's contents (section titles as bold lines).
    expect(text).not.toMatch(
      /<< 1\. Introduction|\| Up \||Table of Contents|\*\*2\.7\.1\. Tool-selection Option\*\*/,
    );
  });

  it("indexes a browser's PDF without its print header, contents list or reports read as terms", () => {
    const text = chunksOf('mc-manual.pdf');
    expect(text).not.toMatch(/file:\/\/\/|\d+\/\d+\/\d+, \d+:\d+ [AP]M|Table of Contents/);
    expect(text).toContain(
      'Conditional jump or move depends on uninitialised value(s)\n   at 0x402DFA94: _IO_vfprintf (_itoa.h:49)',
    );
    expect(text).not.toContain('**Address 0x3807F7B4');
  });

  it("indexes pandoc's Word code blocks line by line", () => {
    expect(chunksOf('python-policy.docx')).toContain(
      'X-Python3-Version: >= X.Y\nX-Python3-Version: >= A.B, << X.Y\nXS-Python-Version: A.B, X.Y',
    );
  });

  it('answers from each of them', async () => {
    const exitCode = await ask('How do I make Valgrind exit with a non-zero status when it finds errors?');
    expect(exitCode.text).toContain('--error-exitcode');
    expect(exitCode.citedFiles.length).toBeGreaterThan(0);
    const fill = await ask('How do I fill newly allocated memory with a particular byte?');
    expect(fill.text).toContain('--malloc-fill');
    expect(fill.citedFiles).toContain('mc-manual.pdf');
    const modules = await ask('Where must public Python 3 modules be installed?');
    expect(modules.text).toContain('/usr/lib/python3/dist-packages');
    expect(modules.citedFiles).toContain('python-policy.docx');
  });
});
