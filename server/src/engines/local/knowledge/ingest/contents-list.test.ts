import { describe, expect, it } from 'vitest';
import { withoutContentsLists } from './contents-list.js';

describe('withoutContentsLists', () => {
  it('drops the contents of a manual printed from a browser, with its title', () => {
    // As pdf-layout.ts reads valgrind's Memcheck chapter printed by Chromium: the contents come
    // out as a bold line of two titles and an indented (code) block of the sub-sections.
    const text = [
      '# 4. Memcheck: a memory error detector',
      '#### Table of Contents',
      '**4.1. Overview 4.2. Explanation of error messages from Memcheck**',
      '```\n4.2.1. Illegal read / Illegal write errors\n4.2.2. Use of uninitialised values\n```',
      'To use this tool, specify --tool=memcheck.',
      '## 4.1. Overview',
      'Memcheck is a memory error detector.',
      '## 4.2. Explanation of error messages from Memcheck',
      '### 4.2.1. Illegal read / Illegal write errors',
      'Memcheck reports reads of memory it should not.',
      '### 4.2.2. Use of uninitialised values',
      'A value that was never set.',
    ].join('\n\n');
    const kept = withoutContentsLists(text);
    expect(kept).not.toMatch(
      /Table of Contents|\*\*4\.1|4\.2\.1\. Illegal read \/ Illegal write errors\n4\.2\.2/,
    );
    expect(kept).toContain(
      '# 4. Memcheck: a memory error detector\n\nTo use this tool, specify --tool=memcheck.',
    );
    expect(kept).toContain('### 4.2.1. Illegal read / Illegal write errors\n\nMemcheck reports reads');
  });

  it('drops contents with dot leaders and page numbers, as LaTeX and Word print them', () => {
    const text = [
      'Contents',
      '1 Installation . . . . . . . . 3\n1.1 Requirements . . . . . . 3\n2 Configuration . . . . . . . 7',
      '# 1 Installation',
      'Unpack the archive.',
      '## 1.1 Requirements',
      'A POSIX shell.',
      '# 2 Configuration',
      'Edit the file.',
    ].join('\n\n');
    expect(withoutContentsLists(text)).toBe(
      '# 1 Installation\n\nUnpack the archive.\n\n## 1.1 Requirements\n\nA POSIX shell.\n\n# 2 Configuration\n\nEdit the file.',
    );
  });

  it('keeps a sentence that names sections, and a document without contents as it is', () => {
    const text = [
      '# Installation',
      'Read Installation and then Configuration before you start the server for the first time.',
      '# Configuration',
      'Installation Configuration',
    ].join('\n\n');
    // The last block is two titles and nothing else: the only one dropped.
    expect(withoutContentsLists(text)).toBe(text.replace('\n\nInstallation Configuration', ''));
    const plain = '# Usage\n\nRun it.\n\n\n# Options\n\nNone.';
    expect(withoutContentsLists(plain)).toBe(plain);
  });
});

describe('withoutContentsLists, one entry a paragraph', () => {
  it("drops Word's contents, a paragraph an entry, and keeps a lone paragraph that repeats a title", () => {
    // mammoth gives each entry of Word's TOC field as a paragraph of its own ("Installation\t3").
    const text = [
      '# Guide',
      'Installation 3',
      'Configuration 7',
      '## Installation',
      'Unpack the archive.',
      '## Configuration',
      'Configuration',
      'Edit the file.',
    ].join('\n\n');
    expect(withoutContentsLists(text)).toBe(
      '# Guide\n\n## Installation\n\nUnpack the archive.\n\n## Configuration\n\nConfiguration\n\nEdit the file.',
    );
  });
});
