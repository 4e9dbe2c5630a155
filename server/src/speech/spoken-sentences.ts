/**
 * A first piece this long or shorter is spoken whole: about 3 s of speech, which a Piper voice
 * makes in under a second on one core here; a longer first sentence is cut.
 */
const firstPieceWords = 10;
/** How far into a long first sentence a comma may be, and where a cut falls failing anything better. */
const commaReach = 12;
const hardCutWords = 8;

/** Words before which a long first sentence may be cut, where a speaker could take a breath. */
const breathWords =
  /^(and|but|or|so|because|which|that|when|while|if|then|to|by|for|with|in|on|at|from|after|before)$/i;

/**
 * Speakable text as the pieces a neural voice synthesises one at a time, so the first audio
 * leaves after one short piece rather than after the whole answer: sentences, and the first of
 * them cut when long — at a comma, else before a joining word, else after eight words.
 */
export function spokenSentences(text: string): string[] {
  // A sentence ends at an end mark before a space, so `3.5` and `config.json` stay whole.
  const sentences = text
    .split(/(?<=[.!?]["')\]]*)\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => /[\p{L}\p{N}]/u.test(sentence));
  const [first, ...rest] = sentences;
  if (first === undefined) return [];
  return [...firstPieces(first), ...rest];
}

function firstPieces(sentence: string): string[] {
  const words = sentence.split(/\s+/);
  if (words.length <= firstPieceWords) return [sentence];
  const comma = words.findIndex((word, index) => index >= 2 && index < commaReach && /[,;:]$/.test(word));
  const breath = words.findIndex(
    (word, index) => index >= 3 && index < firstPieceWords && breathWords.test(word),
  );
  const cut = comma >= 0 ? comma + 1 : breath >= 0 ? breath : hardCutWords;
  return [words.slice(0, cut).join(' '), words.slice(cut).join(' ')];
}
