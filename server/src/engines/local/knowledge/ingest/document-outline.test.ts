import { describe, expect, it } from 'vitest';
import { documentTitle, findHeadings, headingsFor } from './document-outline.js';

describe('findHeadings', () => {
  it.each([
    {
      name: 'markdown atx',
      text: '# Title\n\ntext\n## Part\n',
      headings: [
        ['Title', 1],
        ['Part', 2],
      ],
    },
    {
      name: 'asciidoc underline',
      text: 'git-reset(1)\n============\n\nNAME\n----\nx\n',
      headings: [
        ['git-reset(1)', 1],
        ['NAME', 2],
      ],
    },
    { name: 'asciidoc equals prefix', text: '== Options\n', headings: [['Options', 2]] },
    { name: 'code fences are skipped', text: '```\n# not a heading\n```\n', headings: [] },
    { name: 'underline of another length is not a heading', text: 'a long line of text\n--\n', headings: [] },
    { name: 'list markers are not headings', text: '- item\n------\n', headings: [] },
  ])('$name', ({ text, headings }) => {
    expect(findHeadings(text).map((heading) => [heading.text, heading.level])).toEqual(headings);
  });

  it('records offsets', () => {
    const text = 'intro\n# A\nbody\n## B\n';
    expect(findHeadings(text).map((heading) => text.slice(heading.offset, heading.offset + 3))).toEqual([
      '# A',
      '## ',
    ]);
  });
});

describe('documentTitle', () => {
  it.each([
    { fileName: 'git-reset.txt', text: 'git-reset(1)\n============\n', title: 'git-reset(1)' },
    { fileName: 'guide.md', text: '# Getting started\n', title: 'guide — Getting started' },
    { fileName: 'notes.txt', text: 'no headings here', title: 'notes' },
  ])('$fileName', ({ fileName, text, title }) => {
    expect(documentTitle(findHeadings(text), fileName)).toBe(title);
  });
});

describe('headingsFor', () => {
  const text = '# A\none\n## B\ntwo\n## C\nthree\n# D\nfour\n';
  const headings = findHeadings(text);
  it.each([
    { name: 'inside B', start: text.indexOf('two'), end: text.indexOf('two') + 3, path: ['A', 'B'] },
    {
      name: 'from one to three',
      start: text.indexOf('one'),
      end: text.indexOf('three'),
      path: ['A', 'B', 'C'],
    },
    { name: 'after D', start: text.indexOf('four'), end: text.length, path: ['D'] },
    { name: 'before any heading', start: 0, end: 1, path: ['A'] },
  ])('$name', ({ start, end, path }) => {
    expect(headingsFor(headings, start, end)).toEqual(path);
  });
});
