/**
 * BERT's uncased WordPiece tokenizer, as Hugging Face `tokenizers` runs it for all-MiniLM-L6-v2
 * (BertNormalizer + BertPreTokenizer + WordPiece): the ids must match what the model was trained
 * on, or its vectors mean nothing. Pure and synchronous; the embedding worker calls it.
 *
 * Normalisation: drop NUL, U+FFFD and other control characters, turn whitespace into spaces, put
 * spaces around CJK ideographs, decompose (NFD) and drop non-spacing marks (accents), lowercase.
 * Pre-tokenisation: split on whitespace, and every punctuation character is a word of its own.
 * WordPiece: greedy longest match from the left, continuations prefixed `##`; a word with no
 * segmentation, or longer than 100 characters (the fast tokenizer's limit), becomes `[UNK]`.
 */
export type WordPieceTokenizer = {
  /** `[CLS] pieces… [SEP]`, truncated so the whole sequence is at most `maxLength` ids. */
  encode(text: string, maxLength: number): number[];
  /** The word pieces of `text`, without special tokens or truncation. */
  pieces(text: string): number[];
};

const maxCharactersPerWord = 100;
const controlCharacter = /\p{C}/u;
const whitespace = /\p{White_Space}/u;
const unicodePunctuation = /\p{P}/u;
const nonSpacingMarks = /\p{Mn}/gu;

export function createWordPieceTokenizer(vocabularyText: string): WordPieceTokenizer {
  const vocabulary = new Map<string, number>();
  vocabularyText.split('\n').forEach((token, index) => {
    const trimmed = token.replace(/\r$/, '');
    if (trimmed !== '' && !vocabulary.has(trimmed)) vocabulary.set(trimmed, index);
  });
  const special = (token: string) => {
    const id = vocabulary.get(token);
    if (id === undefined) throw new Error(`the vocabulary has no ${token}`);
    return id;
  };
  const unknownId = special('[UNK]');
  const classId = special('[CLS]');
  const separatorId = special('[SEP]');

  function wordPieces(word: string, output: number[]): void {
    const characters = Array.from(word);
    if (characters.length > maxCharactersPerWord) {
      output.push(unknownId);
      return;
    }
    const found: number[] = [];
    let start = 0;
    while (start < characters.length) {
      let end = characters.length;
      let match: number | undefined;
      while (start < end) {
        const piece = characters.slice(start, end).join('');
        match = vocabulary.get(start > 0 ? `##${piece}` : piece);
        if (match !== undefined) break;
        end -= 1;
      }
      if (match === undefined) {
        output.push(unknownId);
        return;
      }
      found.push(match);
      start = end;
    }
    output.push(...found);
  }

  function pieces(text: string): number[] {
    const output: number[] = [];
    for (const word of splitWords(normaliseText(text))) wordPieces(word, output);
    return output;
  }

  return {
    pieces,
    encode(text, maxLength) {
      const body = pieces(text).slice(0, Math.max(0, maxLength - 2));
      return [classId, ...body, separatorId];
    },
  };
}

/** BertNormalizer with clean_text, handle_chinese_chars, strip_accents and lowercase on. */
export function normaliseText(text: string): string {
  let cleaned = '';
  for (const character of text) {
    const code = character.codePointAt(0) ?? 0;
    if (code === 0 || code === 0xfffd) continue;
    if (character === '\t' || character === '\n' || character === '\r' || whitespace.test(character)) {
      cleaned += ' ';
    } else if (controlCharacter.test(character)) {
      continue;
    } else if (isCjkIdeograph(code)) {
      cleaned += ` ${character} `;
    } else cleaned += character;
  }
  return cleaned.normalize('NFD').replace(nonSpacingMarks, '').toLowerCase();
}

/** BertPreTokenizer: whitespace separates words; each punctuation character is a word. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  for (const character of text) {
    if (character === ' ' || whitespace.test(character)) {
      if (current !== '') words.push(current);
      current = '';
    } else if (isPunctuation(character)) {
      if (current !== '') words.push(current);
      words.push(character);
      current = '';
    } else current += character;
  }
  if (current !== '') words.push(current);
  return words;
}

function isPunctuation(character: string): boolean {
  const code = character.codePointAt(0) ?? 0;
  // BERT counts every non-alphanumeric ASCII symbol (`$`, `^`, `` ` ``, `~` …) as punctuation.
  if ((code >= 33 && code <= 47) || (code >= 58 && code <= 64)) return true;
  if ((code >= 91 && code <= 96) || (code >= 123 && code <= 126)) return true;
  return code > 127 && unicodePunctuation.test(character);
}

/** The CJK Unified Ideograph blocks BERT splits character by character (not kana or hangul). */
function isCjkIdeograph(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) ||
    (code >= 0x3400 && code <= 0x4dbf) ||
    (code >= 0x20000 && code <= 0x2a6df) ||
    (code >= 0x2a700 && code <= 0x2b73f) ||
    (code >= 0x2b740 && code <= 0x2b81f) ||
    (code >= 0x2b820 && code <= 0x2ceaf) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0x2f800 && code <= 0x2fa1f)
  );
}
