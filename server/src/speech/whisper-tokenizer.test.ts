import { describe, expect, it } from 'vitest';
import { createWhisperTokenizer } from './whisper-tokenizer.js';

// A miniature of Whisper's tokenizer.json: byte-level tokens ("Ġ" is the space byte, "Ċ" the
// newline), ranked merges, and added special tokens after the vocabulary. The real file's ids
// are checked against Hugging Face `tokenizers` in server/test/speech/whisper-onnx.test.ts.
const tokenizer = createWhisperTokenizer({
  model: {
    vocab: {
      Ġ: 0,
      a: 1,
      b: 2,
      c: 3,
      Ġa: 4,
      ab: 5,
      Ġab: 6,
      Ċ: 7,
      Ã: 8,
      '©': 9,
      'Ã©': 10,
      '?': 11,
      "'": 12,
      s: 13,
    },
    merges: ['a b', 'Ġ a', 'Ġ ab', 'Ã ©'],
  },
  added_tokens: [
    { id: 14, content: '<|endoftext|>' },
    { id: 15, content: '<|en|>' },
  ],
});

describe('whisper tokenizer', () => {
  it.each([
    ['lowest-ranked merge first: "ab" before "Ġa"', ' ab', [6]],
    ['a leading space joins the word', ' a', [4]],
    ['no merge across pieces', 'ab ab', [5, 6]],
    ['two spaces: the first stays alone', '  a', [0, 4]],
    ['bytes of é (C3 A9) merge', 'é', [10]],
    ['a contraction is its own piece', "a's", [1, 12, 13]],
    ['newline byte', 'a\n', [1, 7]],
    ['every occurrence of the pair merges', 'abab?', [5, 5, 11]],
  ])('encodes %s', (_, text, ids) => {
    expect(tokenizer.encode(text)).toEqual(ids);
    expect(tokenizer.decode(ids)).toBe(text);
  });

  it('decodes text only: special ids and timestamp ids past the vocabulary are skipped', () => {
    expect(tokenizer.decode([15, 6, 14, 1500, 10])).toBe(' abé');
  });

  it('finds special tokens by name', () => {
    expect([tokenizer.special('<|en|>'), tokenizer.special('<|xx|>'), tokenizer.endOfText]).toEqual([
      15,
      undefined,
      14,
    ]);
  });
});
