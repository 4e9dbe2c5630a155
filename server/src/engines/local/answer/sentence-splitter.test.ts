import { describe, expect, it } from 'vitest';
import { splitSentences } from './sentence-splitter.js';

describe('splitSentences', () => {
  it.each<[string, string, string[]]>([
    [
      'sentences in a paragraph',
      'One thing here. Another one!\nStill the second? Yes.',
      ['One thing here.', 'Another one!', 'Still the second?', 'Yes.'],
    ],
    [
      'markdown headings and fences are skipped',
      '# Title\n\nText line.\n\n```\ncode here.\n```',
      ['Text line.'],
    ],
    ['list items stand alone', '- first item\n- second item', ['first item', 'second item']],
    [
      'AsciiDoc terms, continuations and callouts',
      '--soft::\n\tKeeps changes.\n+\nMore text. <1> Callout one. <2> Callout two.',
      ['Keeps changes.', 'More text.', 'Callout one.', 'Callout two.'],
    ],
    [
      'bold markers and citation markers are removed',
      'It is **bold**【0:1†a.md】 here.',
      ['It is bold here.'],
    ],
  ])('%s', (_name, text, expected) => {
    expect(splitSentences(text)).toEqual(expected);
  });
});
