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
    [
      'a range',
      ['C [1-3].'],
      [
        { type: 'text', text: 'C ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 2 },
        { type: 'source', number: 3 },
        { type: 'text', text: '.' },
      ],
    ],
    [
      'an en-dash range inside a list',
      ['C [1, 3–4]'],
      [
        { type: 'text', text: 'C ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 3 },
        { type: 'source', number: 4 },
      ],
    ],
    [
      'lenticular brackets',
      ['D 【1】【2】'],
      [
        { type: 'text', text: 'D ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 2 },
      ],
    ],
    [
      'the Assistants marker a model imitates',
      ['E 【4:0†travel.md】 and 【2†source】'],
      [
        { type: 'text', text: 'E ' },
        { type: 'source', number: 4 },
        { type: 'text', text: ' and ' },
        { type: 'source', number: 2 },
      ],
    ],
    [
      'a footnote marker',
      ['F[^1] and G[^2].'],
      [
        { type: 'text', text: 'F' },
        { type: 'source', number: 1 },
        { type: 'text', text: ' and G' },
        { type: 'source', number: 2 },
        { type: 'text', text: '.' },
      ],
    ],
    [
      'footnote definitions are taken out with their line',
      ['H[^1].\n\n[^', '1]: travel.md, "Meals"\n[^2]: hotels.md'],
      [
        { type: 'text', text: 'H' },
        { type: 'source', number: 1 },
        { type: 'text', text: '.\n\n' },
      ],
    ],
    [
      '(Source 1) split across tokens',
      ['I (Sou', 'rce 1', ').'],
      [
        { type: 'text', text: 'I ' },
        { type: 'source', number: 1 },
        { type: 'text', text: '.' },
      ],
    ],
    [
      '(Sources 1 and 3), [Source 2], (source: 4)',
      ['J (Sources 1 and 3) K [Source 2] L (source: 4)'],
      [
        { type: 'text', text: 'J ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 3 },
        { type: 'text', text: ' K ' },
        { type: 'source', number: 2 },
        { type: 'text', text: ' L ' },
        { type: 'source', number: 4 },
      ],
    ],
    [
      '(Source 1, Source 2)',
      ['M (Source 1, Source 2)'],
      [
        { type: 'text', text: 'M ' },
        { type: 'source', number: 1 },
        { type: 'source', number: 2 },
      ],
    ],
    [
      'a number out of any range is still taken out (the caller drops it)',
      ['N [99]'],
      [
        { type: 'text', text: 'N ' },
        { type: 'source', number: 99 },
      ],
    ],
    ['a bare (1) is text', ['steps (1) and (2)'], [{ type: 'text', text: 'steps (1) and (2)' }]],
    [
      'prose in parentheses is text',
      ['(see the docs) (so it is)'],
      [{ type: 'text', text: '(see the docs) (so it is)' }],
    ],
    ['a markdown link is text', ['see [docs](x)'], [{ type: 'text', text: 'see [docs](x)' }]],
    [
      'code is never cited',
      ['Use `x[0]` [1].\n```\nlet y = a[1];\n```\n'],
      [
        { type: 'text', text: 'Use `x[0]` ' },
        { type: 'source', number: 1 },
        { type: 'text', text: '.\n```\nlet y = a[1];\n```\n' },
      ],
    ],
    ['a checkbox is text', ['- [ ] todo'], [{ type: 'text', text: '- [ ] todo' }]],
    ['unfinished at the end is text', ['tail [1'], [{ type: 'text', text: 'tail [1' }]],
    ['an array literal stays text', ['x = [a, 1]'], [{ type: 'text', text: 'x = [a, 1]' }]],
  ])('%s', (_name, tokens, expected) => {
    expect(parse(tokens)).toEqual(expected);
  });
});
