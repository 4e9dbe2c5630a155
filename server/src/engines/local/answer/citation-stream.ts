export type CitationStreamPiece = { type: 'text'; text: string } | { type: 'source'; number: number };

const names = 'sources?|src|docs?|documents?|passages?|refs?|references?';
// A list of source numbers: 1 · 1, 2 · 1-3 · 1 and 3 · 1; Source 2 (a name may repeat before each).
const number = `(?:(?:${names})\\s*:?\\s*#?\\s*)?\\d{1,3}(?::\\d+)?`;
const list = `${number}(?:\\s*(?:,|;|-|–|&|and)\\s*${number})*`;
const markers: RegExp[] = [
  // [1] [1, 2] [1-3] [^1] [Source 1] [1†travel.md] [1:0†source]
  new RegExp(`^\\[\\s*\\^?\\s*(${list})\\s*(?:†[^\\]\\n]{0,80})?\\]`, 'i'),
  // 【1】 【1, 2】 【4:0†source】
  new RegExp(`^【\\s*(${list})\\s*(?:†[^】\\n]{0,80})?】`, 'i'),
  // (Source 1) (sources 1 and 2) (Doc 3): a bare (1) is too often a list item to be a citation.
  new RegExp(`^\\(\\s*((?:${names})\\s*:?\\s*#?\\s*${list})\\s*\\)`, 'i'),
];
// A Markdown footnote definition (`[^1]: travel.md`) on its own line repeats what the marker said.
const footnoteDefinition = /^\[\^\d{1,3}\]:[^\n]*(?:\n|$)/;
const maxMarkerLength = 96;
const couldComplete: RegExp[] = [
  /^\[[\^\w\s,;:#†.&\-–]*$/,
  /^【[^】\n]*$/,
  new RegExp(`^\\(\\s*(?:[a-z]{0,10}|(?:${names})\\s*:?\\s*#?[\\w\\s,;:&\\-–]*)$`, 'i'),
];
const keywordPrefix = new RegExp(`^\\(\\s*([a-z]*)`, 'i');
const keywords = names.split('|').map((name) => name.replace(/\?$/, ''));
const maxRange = 20;

/** Source numbers in a matched list: `1, 3-5` → 1, 3, 4, 5 (a range of more than 20 is read as its ends). */
function numbersOf(listText: string): number[] {
  const numbers: number[] = [];
  const items = listText.split(/\s*(?:,|;|&|\band\b)\s*/i);
  for (const item of items) {
    const ends = item.split(/\s*[-–]\s*/).map((part) => Number(/(\d+)(?::\d+)?\s*$/.exec(part)?.[1]));
    const [first, last] = ends;
    if (first === undefined || Number.isNaN(first)) continue;
    if (last !== undefined && !Number.isNaN(last) && last > first && last - first <= maxRange) {
      for (let value = first; value <= last; value += 1) numbers.push(value);
    } else {
      numbers.push(first);
      if (last !== undefined && !Number.isNaN(last) && last !== first) numbers.push(last);
    }
  }
  return numbers;
}

/** Whether the text from an opening bracket may still become a marker once more text arrives. */
function mayBecomeMarker(buffer: string, isLineStart: boolean): boolean {
  if (buffer.length > maxMarkerLength || buffer.includes('\n')) return false;
  if (isLineStart && /^\[\^\d{0,3}(?:\]:?)?$/.test(buffer)) return true;
  if (isLineStart && /^\[\^\d{1,3}\]:/.test(buffer)) return true;
  if (buffer.startsWith('(')) {
    const word = keywordPrefix.exec(buffer)?.[1]?.toLowerCase() ?? '';
    const isNamePrefix = keywords.some((keyword) => keyword.startsWith(word) || word.startsWith(keyword));
    return isNamePrefix && (couldComplete[2]?.test(buffer) ?? false);
  }
  return couldComplete.some((pattern) => pattern.test(buffer));
}

/**
 * Finds the citations models write in streamed text — `[1][2]`, `[1, 2]`, `[1-3]`, `【1】`, `[^1]`,
 * `(Source 1)` and their kin — even when one is split across tokens: text that might still become
 * a citation is held back until it can't. Every marker is taken out of the text; the numbers are
 * returned for the caller to map to sources (or to drop, when they name none).
 */
export class CitationStreamParser {
  private pending = '';
  private isLineStart = true;
  private isInFence = false;
  private isInInlineCode = false;

  push(text: string): CitationStreamPiece[] {
    let buffer = this.pending + text;
    this.pending = '';
    const pieces: CitationStreamPiece[] = [];
    let plain = '';
    const flushPlain = () => {
      if (plain === '') return;
      pieces.push({ type: 'text', text: plain });
      this.isLineStart = plain.endsWith('\n');
      plain = '';
    };
    while (buffer.length > 0) {
      const open = buffer.search(/[[【(`]/);
      if (open === -1) {
        plain += buffer;
        break;
      }
      plain += buffer.slice(0, open);
      buffer = buffer.slice(open);
      if (buffer.startsWith('`')) {
        // Code is never cited: `x[0]` stays as written.
        const ticks = /^`+/.exec(buffer)?.[0] ?? '`';
        if (ticks.length >= 3) this.isInFence = !this.isInFence;
        else if (!this.isInFence) this.isInInlineCode = !this.isInInlineCode;
        plain += ticks;
        buffer = buffer.slice(ticks.length);
        continue;
      }
      if (this.isInFence || this.isInInlineCode) {
        plain += buffer[0];
        buffer = buffer.slice(1);
        continue;
      }
      const isLineStart = plain === '' ? this.isLineStart : plain.endsWith('\n');
      const definition = isLineStart ? footnoteDefinition.exec(buffer) : null;
      if (definition && (definition[0].endsWith('\n') || buffer.length > definition[0].length)) {
        buffer = buffer.slice(definition[0].length);
        continue;
      }
      const match = definition ? null : markers.map((marker) => marker.exec(buffer)).find(Boolean);
      if (match) {
        flushPlain();
        for (const source of numbersOf(match[1] ?? '')) pieces.push({ type: 'source', number: source });
        buffer = buffer.slice(match[0].length);
      } else if (mayBecomeMarker(buffer, isLineStart)) {
        this.pending = buffer;
        break;
      } else {
        plain += buffer[0];
        buffer = buffer.slice(1);
      }
    }
    flushPlain();
    return pieces;
  }

  end(): CitationStreamPiece[] {
    const rest = this.pending;
    this.pending = '';
    if (rest === '') return [];
    if (this.isLineStart && footnoteDefinition.test(rest)) return [];
    const pieces = this.push(rest);
    // What is still held can no longer complete: it is text.
    const held = this.pending;
    this.pending = '';
    return held ? [...pieces, { type: 'text', text: held }] : pieces;
  }
}
