import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createWordPieceTokenizer } from './wordpiece-tokenizer.js';

const tokenizer = createWordPieceTokenizer(readFileSync(new URL('./vocab.txt', import.meta.url), 'utf8'));

// Expected ids from Hugging Face `tokenizers` 0.23 with all-MiniLM-L6-v2's tokenizer.json
// (no padding, truncation 256). The same comparison over 12,879 paragraphs of the Git docs
// found no difference.
const cases: { name: string; text: string; ids: number[] }[] = [
  {
    name: 'a question',
    text: 'How do I undo the last commit but keep my changes?',
    ids: [101, 2129, 2079, 1045, 25672, 1996, 2197, 10797, 2021, 2562, 2026, 3431, 1029, 102],
  },
  {
    name: 'a command line: continuation pieces and ASCII symbols',
    text: 'git rebase --interactive HEAD~3',
    ids: [101, 21025, 2102, 2128, 15058, 1011, 1011, 9123, 2132, 1066, 1017, 102],
  },
  {
    name: 'accents stripped',
    text: 'Café naïve résumé Ångström',
    ids: [101, 7668, 15743, 13746, 17076, 15687, 102],
  },
  {
    name: 'code',
    text: 'const x = foo.bar_baz(42); // TODO: fix!!',
    ids: [
      101, 9530, 3367, 1060, 1027, 29379, 1012, 3347, 1035, 8670, 2480, 1006, 4413, 1007, 1025, 1013, 1013,
      28681, 2080, 1024, 8081, 999, 999, 102,
    ],
  },
  {
    name: 'shell punctuation',
    text: '$HOME ~/.gitconfig <maybe> #tag',
    ids: [
      101, 1002, 2188, 1066, 1013, 1012, 21025, 13535, 2239, 8873, 2290, 1026, 2672, 1028, 1001, 6415, 102,
    ],
  },
  {
    name: 'a long word',
    text: 'antidisestablishmentarianism',
    ids: [101, 3424, 10521, 4355, 7875, 13602, 3672, 12199, 2964, 102],
  },
  {
    name: 'CJK ideographs one by one',
    text: '日本語 and 中文',
    ids: [101, 1864, 1876, 1950, 1998, 1746, 1861, 102],
  },
  { name: 'a word over 100 characters', text: 'x'.repeat(101), ids: [101, 100, 102] },
  {
    name: 'control, zero-width and no-break characters, an emoji',
    text: 'tab\there\u00a0nbsp\u200bzero \u0000ctl emoji 🎉',
    ids: [101, 21628, 2182, 1050, 5910, 2361, 6290, 2080, 14931, 2140, 7861, 29147, 2072, 100, 102],
  },
  {
    name: 'dotted capital I, sharp s, a ligature',
    text: 'İstanbul ß ﬁ ＡＢＣ',
    ids: [101, 9960, 1096, 1984, 100, 102],
  },
];

describe('createWordPieceTokenizer', () => {
  it.each(cases)('$name', ({ text, ids }) => {
    expect(tokenizer.encode(text, 256)).toEqual(ids);
  });

  it('truncates to the sequence length, [SEP] included', () => {
    const ids = tokenizer.encode('word '.repeat(300), 256);
    expect(ids).toHaveLength(256);
    expect(ids.slice(-3)).toEqual([2773, 2773, 102]);
  });
});
