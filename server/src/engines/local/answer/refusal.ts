import type { AnswerPiece } from './answer-piece.js';
import { noRelevantInformationText } from './no-answer.js';

type StreamedPiece = Extract<AnswerPiece, { type: 'text' | 'citation' }>;

const subject =
  '(?:the |these |this |those |any of the |your )?(?:provided |given |available |retrieved |numbered |above |supplied )?(?:documents?|sources?|context|passages?|knowledge base|information|texts?|excerpts?|files?|materials?|docs)';
const refusals: RegExp[] = [
  /\b(?:i|we) (?:could not|couldn't|can't|cannot|was unable to|am unable to|were unable to|did not|didn't|do not|don't) (?:find|locate|see|identify|determine)\b/,
  new RegExp(
    `\\b${subject}(?: provided| given| available| above)? (?:do|does|did)(?: not|n't) (?:contain|mention|include|provide|cover|say|specify|discuss|address|state|describe|have|answer|offer|explain|list|give|tell)`,
  ),
  new RegExp(
    `\\b(?:is|are|was|were) not (?:mentioned|covered|specified|found|provided|included|addressed|discussed|stated|available|described|given|listed|present) (?:in|by|within) ${subject}`,
  ),
  /\b(?:there is|there's|there are|i have|i've|i had|contains?|provides?|includes?) no (?:specific |relevant |explicit |direct )?(?:information|mention|details?|data|references?|answer|indication)\b/,
  new RegExp(
    `\\bno (?:specific |relevant )?(?:information|mention|details?) (?:about|on|regarding|of|in|for) `,
  ),
  /\b(?:i don't know|i do not know|unable to answer|cannot answer|can't answer|cannot be answered|can't be answered|not able to answer)\b/,
  new RegExp(`\\b(?:outside|beyond) (?:the scope of )?${subject}`),
];

const normalize = (text: string) => text.toLowerCase().replace(/[’‘`]/g, "'").replace(/\s+/g, ' ');
const words = (text: string) => text.split(/\s+/).filter((word) => /\w/.test(word)).length;
const isRefusalSentence = (text: string) => refusals.some((pattern) => pattern.test(normalize(text)));

/**
 * The opening of a reply: its first sentence (up to `.`, `!` or `?` and a space, or a line end),
 * or its first two when the first is a few words ("Sorry! The documents don't say."); null while
 * the opening is still being written.
 */
export function openingOf(text: string): string | null {
  const trimmed = text.trimStart();
  const endOf = (from: number) => {
    const end = /[.!?](?:\s|$)|\n/.exec(trimmed.slice(from));
    return end ? from + end.index + 1 : null;
  };
  const first = endOf(0);
  if (first === null) return null;
  if (words(trimmed.slice(0, first)) > 4) return trimmed.slice(0, first);
  const second = endOf(first);
  return second === null ? null : trimmed.slice(0, second);
}

const maxRefusalWords = 50;
/** Every refusal says "not", "no", "unable"… early: an opening of this many words without one is an answer. */
const wordsBeforeNegation = 12;
const negation = /\b(?:not|no|none|nothing|never|cannot|unable|sorry|unfortunately|without)\b|n't\b/;

/**
 * Whether a reply says, in the model's own words, that the documents do not answer: a short
 * reply that opens with a refusal ("The provided documents do not mention the CEO's salary. They
 * cover travel."). A longer one that starts with a caveat and goes on to answer is an answer.
 */
export function isRefusal(text: string): boolean {
  const count = words(text);
  if (count === 0 || count > maxRefusalWords) return false;
  return isRefusalSentence(openingOf(text) ?? text);
}

/**
 * Holds a reply's start back until its opening shows whether it is a refusal: an answer flows on
 * from there (the delay is one sentence); a refusal is held to the end and replaced by
 * Threadline's sentence for "not in your documents", with no citations, so neither the stream,
 * the transcript nor the citations carry the model's version.
 */
export class RefusalGate {
  private held: StreamedPiece[] = [];
  private text = '';
  private isDecided = false;

  push(piece: StreamedPiece): StreamedPiece[] {
    if (this.isDecided) return [piece];
    this.held.push(piece);
    if (piece.type === 'text') this.text += piece.text;
    const opening = openingOf(this.text);
    const count = words(this.text);
    const isAnswer =
      count > maxRefusalWords ||
      (opening !== null && !isRefusalSentence(opening)) ||
      (count >= wordsBeforeNegation && !negation.test(normalize(this.text)));
    return isAnswer ? this.release() : [];
  }

  /** At the end of the reply: what is still held, or the refusal sentence in its place. */
  end(): { pieces: StreamedPiece[]; isRefusal: boolean } {
    if (this.isDecided) return { pieces: [], isRefusal: false };
    if (isRefusal(this.text)) {
      this.isDecided = true;
      this.held = [];
      return { pieces: [{ type: 'text', text: noRelevantInformationText }], isRefusal: true };
    }
    return { pieces: this.release(), isRefusal: false };
  }

  /** When the reply breaks off: what was held, as it is (a partial answer is kept). */
  flush(): StreamedPiece[] {
    return this.release();
  }

  private release(): StreamedPiece[] {
    this.isDecided = true;
    const pieces = this.held;
    this.held = [];
    return pieces;
  }
}
