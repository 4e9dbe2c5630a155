import { describe, expect, it } from 'vitest';
import {
  codePointOffsetToUtf16,
  insertCitationMarkers,
  type ResponsesFileCitation,
} from './citation-markers.js';

const handbook = (index: number): ResponsesFileCitation => ({
  file_id: 'file-handbook',
  filename: 'handbook.md',
  index,
});
const faq = (index: number): ResponsesFileCitation => ({ file_id: 'file-faq', filename: 'faq.md', index });

describe('insertCitationMarkers', () => {
  const cases: {
    name: string;
    text: string;
    citations: ResponsesFileCitation[];
    expected: string;
  }[] = [
    { name: 'no citations', text: 'Plain answer.', citations: [], expected: 'Plain answer.' },
    {
      name: 'one citation at the end',
      text: 'Leave is 25 days.',
      citations: [handbook(17)],
      expected: 'Leave is 25 days.【0:0†handbook.md】',
    },
    {
      name: 'two files, one index each, numbered by first appearance',
      text: 'A. B.',
      citations: [faq(2), handbook(5)],
      expected: 'A.【0:0†faq.md】 B.【1:0†handbook.md】',
    },
    {
      name: 'several citations at one index keep their order',
      text: 'Both say so.',
      citations: [handbook(12), faq(12), handbook(12)],
      expected: 'Both say so.【0:0†handbook.md】【1:0†faq.md】【0:1†handbook.md】',
    },
    {
      name: 'citations given out of order are placed by index',
      text: 'First. Second.',
      citations: [faq(14), handbook(6)],
      expected: 'First.【0:0†handbook.md】 Second.【1:0†faq.md】',
    },
    {
      name: 'index past the end clamps to the end',
      text: 'Short.',
      citations: [handbook(99)],
      expected: 'Short.【0:0†handbook.md】',
    },
    {
      name: 'index counts code points, so an emoji before it is not split',
      text: '🙂 ok.',
      citations: [handbook(5)],
      expected: '🙂 ok.【0:0†handbook.md】',
    },
    {
      name: 'brackets and line breaks in a file name cannot end the marker',
      text: 'x',
      citations: [{ file_id: 'file-odd', filename: 'a】b\nc.md', index: 1 }],
      expected: 'x【0:0†a b c.md】',
    },
  ];

  it.each(cases)('$name', ({ text, citations, expected }) => {
    const result = insertCitationMarkers(text, citations);
    expect(result.text).toBe(expected);
    expect(result.annotations).toHaveLength(citations.length);
    for (const annotation of result.annotations) {
      // The indices must select exactly the marker text in the final string.
      expect(result.text.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);
      expect(annotation.text).toMatch(/^【\d+:\d+†[^【】]+】$/);
    }
  });

  it('points each annotation at the cited file', () => {
    const result = insertCitationMarkers('A. B.', [faq(2), handbook(5)]);
    expect(result.annotations.map((annotation) => annotation.file_citation.file_id)).toEqual([
      'file-faq',
      'file-handbook',
    ]);
    expect(result.annotations.map((annotation) => annotation.start_index)).toEqual([2, 17]);
  });
});

describe('codePointOffsetToUtf16', () => {
  it.each([
    { text: 'abc', codePoints: 2, expected: 2 },
    { text: '🙂abc', codePoints: 1, expected: 2 },
    { text: 'a🙂b', codePoints: 3, expected: 4 },
    { text: 'ab', codePoints: 10, expected: 2 },
  ])('$text at $codePoints → $expected', ({ text, codePoints, expected }) => {
    expect(codePointOffsetToUtf16(text, codePoints)).toBe(expected);
  });
});
