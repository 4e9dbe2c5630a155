export type Heading = { offset: number; level: number; text: string };

const atxHeading = /^(#{1,6}|={1,6})[ \t]+(.+?)[ \t#=]*$/;
const underline = /^(=+|-+|~+|\^+|\++)[ \t]*$/;
const underlineLevels: Record<string, number> = { '=': 1, '-': 2, '~': 3, '^': 4, '+': 5 };

/**
 * Finds the headings of Markdown (`# Title`, setext underlines) and AsciiDoc (`== Title`,
 * underlined titles) documents, with their character offsets, so each chunk can carry the
 * title and section it belongs to.
 */
export function findHeadings(text: string): Heading[] {
  const headings: Heading[] = [];
  const lines = text.split('\n');
  let offset = 0;
  let isInFence = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const next = lines[index + 1];
    if (/^(```|~~~)/.test(line)) isInFence = !isInFence;
    if (!isInFence) {
      const atx = atxHeading.exec(line);
      const marker = next === undefined ? null : underline.exec(next);
      if (atx?.[1] && atx[2]) {
        headings.push({ offset, level: atx[1].length, text: atx[2].trim() });
      } else if (marker?.[1] && isTitleLine(line, marker[1])) {
        headings.push({ offset, level: underlineLevels[marker[1][0] ?? '='] ?? 2, text: line.trim() });
      }
    }
    offset += line.length + 1;
  }
  return headings;
}

function isTitleLine(line: string, marker: string): boolean {
  const title = line.trim();
  if (title === '' || /^[-=~^+*`|]/.test(title)) return false;
  // AsciiDoc requires the underline to match the title's length within a couple of characters.
  return marker.length >= 2 && Math.abs(marker.length - title.length) <= 2;
}

/** The document's title: its first top-level heading, else its first heading, else the file name. */
export function documentTitle(headings: readonly Heading[], fileName: string): string {
  const top = headings.find((heading) => heading.level === 1) ?? headings[0];
  const stem = fileName.replace(/\.[^.]+$/, '');
  if (!top) return stem;
  return top.text.toLowerCase().includes(stem.toLowerCase()) ? top.text : `${stem} — ${top.text}`;
}

/** The headings in force at `start` (the section path) plus those that open inside the chunk. */
export function headingsFor(headings: readonly Heading[], start: number, end: number): string[] {
  const path: Heading[] = [];
  const inside: string[] = [];
  for (const heading of headings) {
    if (heading.offset <= start) {
      while (path.length > 0 && (path[path.length - 1]?.level ?? 0) >= heading.level) path.pop();
      path.push(heading);
    } else if (heading.offset < end) inside.push(heading.text);
    else break;
  }
  return [...path.map((heading) => heading.text), ...inside];
}

/**
 * The document's lead: its first paragraph of prose after the title (a manual page's NAME
 * line, a README's intro), at most `maxWords` words. Indexed with every chunk so a passage
 * deep in a long document still matches what the document as a whole is about.
 */
export function documentLead(text: string, headings: readonly Heading[], maxWords = 40): string {
  const headingLines = new Set(headings.map((heading) => heading.offset));
  const paragraph: string[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    const lineStart = offset;
    offset += line.length + 1;
    const trimmed = line.trim();
    const isHeadingOrRule = headingLines.has(lineStart) || /^([=\-~^+*_#`]{2,}|#+\s.*)$/.test(trimmed);
    if (trimmed === '' || isHeadingOrRule) {
      if (paragraph.length > 0) break;
      continue;
    }
    paragraph.push(trimmed);
  }
  return paragraph.join(' ').split(/\s+/).slice(0, maxWords).join(' ');
}
