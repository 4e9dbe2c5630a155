/** Words a first piece may hold before it is cut: about 3 s of speech, synthesised in well under 1 s. */
const firstPieceWords = 12;

/** Words before which a long first sentence may be cut, where a speaker would take a breath. */
const breathWords = /^(and|but|or|so|because|which|that|when|while|if|then|to)$/i;

/**
 * Speakable text as the pieces a neural voice synthesises one at a time, so the first audio
 * leaves after one short piece rather than after the whole answer: sentences, and the first of
 * them cut at a comma (or, failing that, before a joining word) when it is long.
 */
export function spokenSentences(text: string): string[] {
  const sentences = (text.match(/[^.!?]+(?:[.!?]+["')\]]*|$)/g) ?? [])
    .map((sentence) => sentence.trim())
    .filter((sentence) => /[\p{L}\p{N}]/u.test(sentence));
  const [first, ...rest] = sentences;
  if (first === undefined) return [];
  return [...firstPieces(first), ...rest];
}

function firstPieces(sentence: string): string[] {
  const words = sentence.split(/\s+/);
  if (words.length <= firstPieceWords) return [sentence];
  let cut = words.findIndex((word, index) => index >= 2 && index < firstPieceWords && /[,;:]$/.test(word));
  if (cut >= 0) cut += 1;
  else
    cut = words.findIndex((word, index) => index >= 4 && index < firstPieceWords && breathWords.test(word));
  if (cut <= 0) return [sentence];
  return [words.slice(0, cut).join(' '), words.slice(cut).join(' ')];
}
