import { describe, expect, it } from 'vitest';
import { textAndCitationsOf, type Message } from '../src/index.js';
import { message } from './fixtures/sample-objects.js';

const textPart = (value: string, markers: { text: string; fileId: string; quote?: string }[] = []) => ({
  type: 'text' as const,
  text: {
    value,
    annotations: markers.map((marker) => ({
      type: 'file_citation' as const,
      text: marker.text,
      start_index: value.indexOf(marker.text),
      end_index: value.indexOf(marker.text) + marker.text.length,
      file_citation: { file_id: marker.fileId, ...(marker.quote ? { quote: marker.quote } : {}) },
    })),
  },
});

const withContent = (content: Message['content']): Message => ({ ...message, content });

describe('textAndCitationsOf', () => {
  it.each([
    ['no content', [], '', []],
    [
      'one part with a citation',
      [
        textPart('Use --soft【1:0†git-reset.txt】.', [
          { text: '【1:0†git-reset.txt】', fileId: 'f1', quote: 'q' },
        ]),
      ],
      'Use --soft【1:0†git-reset.txt】.',
      [{ marker: '【1:0†git-reset.txt】', startIndex: 10, endIndex: 29, fileId: 'f1', quote: 'q' }],
    ],
    [
      'two parts: the second part’s indices shift by the first part’s length',
      [textPart('abc'), textPart('x【2:0†b.md】', [{ text: '【2:0†b.md】', fileId: 'f2' }])],
      'abcx【2:0†b.md】',
      [{ marker: '【2:0†b.md】', startIndex: 4, endIndex: 14, fileId: 'f2', quote: null }],
    ],
    ['non-text parts are skipped', [{ type: 'refusal' as const, refusal: 'no' }, textPart('ok')], 'ok', []],
  ])('%s', (_label, content, text, citations) => {
    const result = textAndCitationsOf(withContent(content as Message['content']));
    expect(result.text).toBe(text);
    expect(result.citations).toEqual(citations);
    for (const citation of result.citations)
      expect(result.text.slice(citation.startIndex, citation.endIndex)).toBe(citation.marker);
  });
});
