import { describe, expect, it } from 'vitest';
import { CitationStreamParser, type CitationStreamPiece } from './citation-stream.js';

const parse = (tokens: string[]): CitationStreamPiece[] => {
  const parser = new CitationStreamParser();
  const pieces = [...tokens.flatMap((token) => parser.push(token)), ...parser.end()];
  // Merge adjacent text so the table states meaning, not token boundaries.
  return pieces.reduce<CitationStreamPiece[]>((merged, piece) => {
    const last = merged.at(-1);
    if (piece.type === 'text' && last?.type === 'text') last.text += piece.text;
    else merged.push({ ...piece });
    return merged;
  }, []);
};

describe('CitationStreamParser', () => {
  it.each<[string, string[], CitationStreamPiece[]]>([
    ['plain text', ['Hello ', 'world'], [{ type: 'text', text: 'Hello world' }]],
    [
      'one citation',
      ['Meals cost 60 euros [1].'],
      [
        { type: 'text', text: 'Meals cost 60 euros ' },
        { type: 'source', number: 1 },
        { type: 'text', text: '.' },
      ],
    ],
    [
      'split across tokens',
      ['Cap ', '[', '2', ']', ' ok'],
      [
        { type: 'text', text: 'Cap ' },
        { type: 'source', number: 2 },
        { type: 'text', text: ' ok' },
      ],
    ],
    [
      'a list',
      ['A [1, 3]'],
      [
        { type: 'text', text: 'A ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 3 },
      ],
    ],
    [
      'adjacent',
      ['B [1][2]'],
      [
        { type: 'text', text: 'B ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 2 },
      ],
    ],
    ['a markdown link is text', ['see [docs](x)'], [{ type: 'text', text: 'see [docs](x)' }]],
    ['unfinished at the end is text', ['tail [1'], [{ type: 'text', text: 'tail [1' }]],
    ['an array literal stays text', ['x = [a, 1]'], [{ type: 'text', text: 'x = [a, 1]' }]],
  ])('%s', (_name, tokens, expected) => {
    expect(parse(tokens)).toEqual(expected);
  });
});
