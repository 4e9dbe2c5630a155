/** A run of a passage as the citation popover draws it. */
export type PassageSegment = { text: string; isCode: boolean; isCited: boolean };

const inlineCode = /`([^`\n]+)`/g;
const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{3,}/gu) ?? []);

/** The passage as plain text, with where its inline code was (the backticks themselves go). */
function withoutBackticks(passage: string): { plain: string; code: Array<[number, number]> } {
  let plain = '';
  const code: Array<[number, number]> = [];
  let cursor = 0;
  for (const match of passage.matchAll(inlineCode)) {
    plain += passage.slice(cursor, match.index);
    code.push([plain.length, plain.length + (match[1] ?? '').length]);
    plain += match[1] ?? '';
    cursor = match.index + match[0].length;
  }
  return { plain: plain + passage.slice(cursor), code };
}

/** Sentence spans (a sentence ends at . ! ? followed by space, or at a line break). */
function sentences(text: string): Array<[number, number]> {
  const spans: Array<[number, number]> = [];
  const boundary = /[.!?](?=\s)|\n+/g;
  let start = 0;
  for (const match of text.matchAll(boundary)) {
    const end = match.index + (match[0].startsWith('\n') ? 0 : 1);
    if (text.slice(start, end).trim() !== '') spans.push([start, end]);
    start = match.index + match[0].length;
  }
  if (text.slice(start).trim() !== '') spans.push([start, text.length]);
  return spans;
}

/**
 * Where in `passage` the answer's `claim` (the words before the citation) comes from: the
 * sentences whose words the claim mostly shares, from the first to the last of them. Nothing is
 * marked when no sentence is close; everything when the claim quotes the whole passage.
 */
function citedSpan(plain: string, claim: string): [number, number] | null {
  const claimWords = wordsOf(claim);
  if (claimWords.size === 0) return null;
  const scored = sentences(plain).map(([start, end]) => {
    const words = [...wordsOf(plain.slice(start, end))];
    const shared = words.filter((word) => claimWords.has(word)).length;
    return { start, end, score: words.length === 0 ? 0 : shared / words.length };
  });
  const best = Math.max(0, ...scored.map((item) => item.score));
  if (best < 0.3) return null;
  const cited = scored.filter((item) => item.score >= Math.max(0.5, best * 0.6) || item.score === best);
  const first = cited[0];
  const last = cited.at(-1);
  return first && last ? [first.start, last.end] : null;
}

/** The passage split into runs: inline code without its backticks, and the cited part marked. */
export function citedPassage(passage: string, claim: string): PassageSegment[] {
  const { plain, code } = withoutBackticks(passage.trim());
  const cited = citedSpan(plain, claim);
  const cuts = new Set([0, plain.length, ...code.flat(), ...(cited ?? [])]);
  const points = [...cuts].sort((left, right) => left - right);
  const segments: PassageSegment[] = [];
  for (let index = 0; index < points.length - 1; index += 1) {
    const start = points[index] ?? 0;
    const end = points[index + 1] ?? start;
    if (end <= start) continue;
    const isCode = code.some(([from, to]) => start >= from && end <= to);
    const isCited = cited !== null && start >= cited[0] && end <= cited[1];
    const previous = segments.at(-1);
    if (previous && previous.isCode === isCode && previous.isCited === isCited)
      previous.text += plain.slice(start, end);
    else segments.push({ text: plain.slice(start, end), isCode, isCited });
  }
  return segments;
}
