import type { SearchHit } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { AnswerTextBuilder, citationMarker } from './answer-text-builder.js';

const hit = (fileId: string, fileName: string): SearchHit => ({
  fileId,
  fileName,
  chunkId: `${fileId}-0`,
  score: 0.9,
  text: 'passage',
  keywordRank: 1,
  vectorRank: 1,
});

describe('citationMarker', () => {
  it.each([
    [2, 0, 'guide.md', '【2:0†guide.md】'],
    [0, 7, 'a【b】.md', '【0:7†ab.md】'],
  ])('message %i source %i of %s → %s', (message, source, fileName, expected) => {
    expect(citationMarker(message, source, fileName)).toBe(expected);
  });
});

describe('AnswerTextBuilder', () => {
  it('keeps annotation indices on their markers and streams the same text it accumulates', () => {
    const builder = new AnswerTextBuilder(3, [hit('file-a', 'a.md'), hit('file-b', 'b.md')]);
    const deltas = [
      builder.appendText('First fact.'),
      builder.appendCitation(0, 'First fact.'),
      builder.appendText('\n\nSecond — with ünïcode.'),
      builder.appendCitation(1, 'Second.'),
    ];
    const [content] = builder.content();
    const text = content?.text;
    expect(text?.value).toBe('First fact.【3:0†a.md】\n\nSecond — with ünïcode.【3:1†b.md】');
    expect(deltas.map((delta) => delta?.[0]?.text?.value ?? '').join('')).toBe(text?.value);
    for (const annotation of text?.annotations ?? []) {
      expect(text?.value.slice(annotation.start_index, annotation.end_index)).toBe(annotation.text);
    }
    expect(text?.annotations.map((annotation) => annotation.file_citation)).toEqual([
      { file_id: 'file-a', quote: 'First fact.' },
      { file_id: 'file-b', quote: 'Second.' },
    ]);
    expect(deltas[3]?.[0]?.text?.annotations?.[0]).toMatchObject({
      index: 1,
      type: 'file_citation',
      start_index: text?.value.indexOf('【3:1'),
    });
  });

  it('drops a citation of a source that was never given', () => {
    const builder = new AnswerTextBuilder(0, [hit('file-a', 'a.md')]);
    expect(builder.appendCitation(4, 'x')).toBeNull();
    expect(builder.content()[0]?.text).toEqual({ value: '', annotations: [] });
  });
});
