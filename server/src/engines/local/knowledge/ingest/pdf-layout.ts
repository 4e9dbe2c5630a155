import { normaliseDashes, normalisePrintedQuotes } from './normalise-dashes.js';

/**
 * A PDF's text as a person reads it, rebuilt from where pdf.js puts each run of text: lines from
 * runs at one height, paragraphs from line spacing and indentation, headings from size, weight
 * and margin, a definition's term from the deeper indent of what follows it, examples from lines
 * that keep their own breaks. Running headers and footers (lines repeated at the top or bottom of
 * most pages, page numbers counted alike) are dropped, words hyphenated across lines joined, and
 * dash look-alikes normalised, so what a person copies from an answer works in a shell.
 *
 * The result is Markdown-like (`#` headings, `**term**` lines, `- ` items, fenced code), the form
 * the chunker and the answerer read; `-- n of m --` lines end each page, as pdf-parse had them.
 */
export type PdfFont = { isBold: boolean; isItalic: boolean; isMonospace: boolean };
export type PdfTextItem = { text: string; x: number; y: number; width: number; size: number; font: string };
export type PdfPage = { width: number; height: number; items: PdfTextItem[]; fonts: Record<string, PdfFont> };

type Line = {
  page: number;
  items: PdfTextItem[];
  text: string;
  x: number;
  right: number;
  y: number;
  size: number;
  isBold: boolean;
  isMonospace: boolean;
  /** The tag of a hanging entry (`-A` before "Allows forwarding…" on the same line). */
  isTag?: boolean;
  /** Whether its first run is set in a monospace font (code: `*` there is a glob, not a bullet). */
  startsMonospace: boolean;
};

type BlockType = 'heading' | 'paragraph' | 'code' | 'list' | 'term';
type Block = { type: BlockType; lines: Line[]; level?: number; items?: string[] };

const bulletStart = /^([•·◦▪▸►‣⁃∙*-]|\d{1,2}[.)]|[a-z][.)])\s+\S/u;
const sentenceEnd = /(?<!\.\.)[.!?:;]["')\]]?$/;
/**
 * Whether a term's line ends as a sentence does: a semicolon standing alone is an argument
 * (find(1)'s `-exec command ;` and `-ok command ;`), not the end of one.
 */
const endsSentence = (text: string) => sentenceEnd.test(text) && !/\s;$/.test(text);

/** The document's text, Markdown-like, each page ended by a `-- n of m --` line. */
export function pdfLayoutText(pages: readonly PdfPage[]): string {
  const linesByPage = pages.map((page, index) => splitHangingTags(linesOf(page, index), page));
  const repeated = runningLines(linesByPage, pages);
  const lines = linesByPage.flat().filter((line) => !repeated.has(line));
  if (lines.length === 0) return '';
  const style = documentStyle(lines);
  const blocks = joinListings(classify(segment(lines, style), style), style);
  const vocabulary = wordsOf(lines);
  const out: string[] = [];
  let page = 0;
  for (const block of blocks) {
    const first = block.lines[0];
    if (!first) continue;
    while (page < first.page) out.push(`-- ${++page} of ${pages.length} --`);
    out.push(render(block, vocabulary, style));
  }
  while (page < pages.length) out.push(`-- ${++page} of ${pages.length} --`);
  return out.join('\n\n');
}

/** Runs at one height, left to right, make a line; a gap wider than a space becomes one. */
function linesOf(page: PdfPage, pageIndex: number): Line[] {
  const items = page.items
    .filter((item) => item.text.trim() !== '' && item.size > 0)
    .sort((left, right) => right.y - left.y || left.x - right.x);
  const groups: PdfTextItem[][] = [];
  for (const item of items) {
    const group = groups.find(
      (candidate) =>
        Math.abs((candidate[0]?.y ?? 0) - item.y) <= 0.4 * Math.max(item.size, candidate[0]?.size ?? 0),
    );
    if (group) group.push(item);
    else groups.push([item]);
  }
  return groups
    .map((group) =>
      lineOf(
        group.sort((left, right) => left.x - right.x),
        page,
        pageIndex,
      ),
    )
    .sort((left, right) => right.y - left.y || left.x - right.x);
}

function lineOf(group: PdfTextItem[], page: PdfPage, pageIndex: number): Line {
  let text = '';
  let end = Number.NEGATIVE_INFINITY;
  let boldChars = 0;
  let monoChars = 0;
  let chars = 0;
  let wasMonospace = false;
  for (const item of group) {
    const gap = item.x - end;
    const font = page.fonts[item.font];
    const isMonospace = font?.isMonospace === true;
    // Inline code printed by a browser keeps its box's padding: "0.2.0 ." and "( ^ )" read as
    // "0.2.0." and "(^)".
    const isPadding = (wasMonospace && /^[.,;:!?)\]]/.test(item.text)) || (isMonospace && /[([]$/.test(text));
    if (text !== '' && gap > 0.15 * item.size && !isPadding && !/\s$/.test(text) && !/^\s/.test(item.text))
      text += ' ';
    wasMonospace = isMonospace;
    text += item.text;
    end = Math.max(end, item.x + item.width);
    const length = item.text.replace(/\s/g, '').length;
    chars += length;
    if (font?.isBold) boldChars += length;
    if (isMonospace) monoChars += length;
  }
  return {
    page: pageIndex,
    items: group,
    text: normalisePrintedQuotes(normaliseDashes(text.replace(/\s+/g, ' ').trim())),
    x: group[0]?.x ?? 0,
    right: end,
    y: group[0]?.y ?? 0,
    size: Math.max(0, ...group.map((item) => item.size)),
    isBold: chars > 0 && boldChars / chars >= 0.9,
    isMonospace: chars > 0 && monoChars / chars >= 0.9,
    startsMonospace: page.fonts[group[0]?.font ?? '']?.isMonospace === true,
  };
}

/**
 * A key or command as less(1) and other pagers list them: one capital (`M`), or a word of at most
 * a dozen characters with a sign in it (`ESC-m`, `^X^X`, `/pattern`, `(`), not one ending a
 * sentence or clause.
 */
const isKeyTag = (part: string) =>
  part.length <= 12 &&
  !/\s/.test(part) &&
  (/^\p{Lu}$/u.test(part) || (/[^\p{L}\p{N}]/u.test(part) && !/[.,;:]["')\]]*$/.test(part)));

/**
 * Whether a tag's text is a name set in roman type: an environment variable (ssh(1)'s `USER   Set
 * to the name of the user logging in.`), an escape (`~B`), an option, or keys (`^N or !`).
 */
function isTagName(tag: string): boolean {
  return (
    /^(?:[A-Z][A-Z0-9_]+|~\S{1,2}|[-\u2212]{1,2}[\w-]+)$/.test(tag) ||
    normaliseDashes(tag)
      .split(/\s+or\s+/)
      .every(isKeyTag)
  );
}

/** Whether the runs of a line before `position` are a name set as a tag (see `isTagName`). */
function isNameTag(line: Line, position: number): boolean {
  return isTagName(
    line.items
      .slice(0, position)
      .map((item) => item.text)
      .join('')
      .trim(),
  );
}

/**
 * A tagged entry set with its tag hanging (`-A   Allows forwarding…`, the description going on
 * below at the indent where it started) becomes the tag on a line of its own, then the
 * description: the form a term followed by its deeper-indented definition has. A description of
 * one line shows no indent below it (ssh(1)'s `-T   Disable pseudo-terminal allocation.`, the next
 * entry's tag right under it): there a bold tag, or a name (`USER`, `~B`), is split from the
 * plain text that starts where the page's other descriptions do.
 */
function splitHangingTags(lines: readonly Line[], page: PdfPage): Line[] {
  const result: Line[] = [];
  const starts = new Map<number, number>();
  for (const line of lines) starts.set(Math.round(line.x), (starts.get(Math.round(line.x)) ?? 0) + 1);
  const linesStartingAt = (x: number) =>
    [-1, 0, 1].reduce((count, offset) => count + (starts.get(Math.round(x) + offset) ?? 0), 0);
  const isBoldAt = (line: Line, position: number) =>
    page.fonts[line.items[position]?.font ?? '']?.isBold === true;
  for (const [index, line] of lines.entries()) {
    const next = lines[index + 1];
    // Where the description starts: the next line's indent or, for a bold tag whose description
    // is one line, an indent where three or more of the page's lines start, with a sentence
    // opening there (not "**ssh** connects and logs into…", a paragraph naming its command).
    const isIndent =
      next && next.x > line.x + line.size
        ? (x: number) => Math.abs(x - next.x) <= 1.5
        : (x: number, position: number) =>
            ((isBoldAt(line, 0) && !isBoldAt(line, position)) || isNameTag(line, position)) &&
            x > line.x + line.size &&
            linesStartingAt(x) >= 3 &&
            /^[\p{Lu}\d]/u.test(line.items[position]?.text.trim() ?? '');
    // A listing's line keeps its gaps ("88 (8 direct, 80 indirect) bytes …" in a leak report).
    const split = line.isMonospace
      ? -1
      : line.items.findIndex(
          (item, position) =>
            position > 0 &&
            isIndent(item.x, position) &&
            item.x - ((line.items[position - 1]?.x ?? 0) + (line.items[position - 1]?.width ?? 0)) >=
              0.3 * item.size,
        );
    if (split < 0 && next && next.x > line.x + line.size && !line.isMonospace) {
      const merged = mergedTag(line, next.x, page);
      if (merged) {
        result.push(merged.tag, merged.rest);
        continue;
      }
    }
    const tag = split > 0 ? lineOf(line.items.slice(0, split), page, line.page) : null;
    if (!tag || split < 0 || bulletStart.test(`${tag.text} x`) || tag.text.length > 40) {
      result.push(line);
      continue;
    }
    result.push({ ...tag, isTag: true }, lineOf(line.items.slice(split), page, line.page));
  }
  return result;
}

/**
 * A hanging entry whose tag is as wide as the indent or wider, so the description goes on after
 * one space in the same run (less(1)'s `/pattern Search forward in the file…`, the next lines at
 * the indent): a key-like first word, then a sentence (not a bold heading's next word), is split
 * into the tag and the description, set where the description's other lines start.
 */
function mergedTag(line: Line, indent: number, page: PdfPage): { tag: Line; rest: Line } | null {
  const [first, ...others] = line.items;
  const match = first && !line.isBold ? /^(\S+) +(?=\p{Lu}\p{Ll})/u.exec(first.text) : null;
  if (!first || !match?.[1]) return null;
  if (!isTagName(match[1])) return null;
  const share = match[0].length / first.text.length;
  const tagItem = { ...first, text: match[1], width: first.width * (match[1].length / first.text.length) };
  const restItem = {
    ...first,
    text: first.text.slice(match[0].length),
    x: indent,
    width: first.width * (1 - share),
  };
  return {
    tag: { ...lineOf([tagItem], page, line.page), isTag: true },
    rest: lineOf([restItem, ...others], page, line.page),
  };
}

const marginKey = (text: string) => text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
const isPageNumber = (text: string) =>
  /^(page\s*)?#(\s*(of|\/)\s*#)?$/.test(marginKey(text)) || /^[ivxlc]+$/i.test(text.trim());

/**
 * Lines that repeat at the top or bottom of most pages (digits counted alike, so "Page 3" and
 * "Page 4" are one line) and bare page numbers there: the running headers and footers.
 */
function runningLines(linesByPage: readonly Line[][], pages: readonly PdfPage[]): Set<Line> {
  const repeated = new Set<Line>();
  if (pages.length < 2) return repeated;
  const margins = linesByPage.map((lines, index) => {
    const height = pages[index]?.height ?? 0;
    const top = lines.slice(0, 3).filter((line) => line.y > height * 0.85);
    const bottom = lines.slice(-3).filter((line) => line.y < height * 0.15);
    return [...top, ...bottom];
  });
  // A header is one line on one page and two on another when its parts come apart (a browser's
  // print header: the date on the left, the title in the middle): each line counts, and so does
  // the row of lines at its height, read left to right.
  const keysOf = (line: Line, lines: readonly Line[]) => [
    marginKey(line.text),
    marginKey(rowText(line, lines)),
  ];
  const pagesWith = new Map<string, number>();
  for (const lines of margins)
    for (const key of new Set(lines.flatMap((line) => keysOf(line, lines))))
      pagesWith.set(key, (pagesWith.get(key) ?? 0) + 1);
  const needed = Math.max(2, Math.ceil(pages.length * 0.5));
  for (const lines of margins)
    for (const line of lines)
      if (keysOf(line, lines).some((key) => (pagesWith.get(key) ?? 0) >= needed) || isPageNumber(line.text))
        repeated.add(line);
  return repeated;
}

/** The text of the lines at one line's height (within a point), left to right. */
const rowText = (line: Line, lines: readonly Line[]) =>
  lines
    .filter((other) => Math.abs(other.y - line.y) < 1)
    .sort((left, right) => left.x - right.x)
    .map((other) => other.text)
    .join(' ');

type Style = { bodySize: number; spacing: number; left: number; measure: number };

const mostCommon = (values: readonly number[]): number => {
  const counts = new Map<number, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? 0;
  let bestCount = 0;
  for (const [value, count] of counts)
    if (count > bestCount) {
      best = value;
      bestCount = count;
    }
  return best;
};

/** Body text size, line spacing, the left margin and the width a full line of body text takes. */
function documentStyle(lines: readonly Line[]): Style {
  const bodySize = mostCommon(lines.map((line) => Math.round(line.size * 2) / 2));
  const body = lines.filter((line) => Math.abs(line.size - bodySize) < 0.6);
  const gaps = gapsBetween(body).map(({ gap }) => Math.round(gap * 2) / 2);
  // Line spacing is the most common gap between lines of a paragraph, not between paragraphs: a
  // manual whose entries all have one-line descriptions (diff(1), help2man's layout: tag, line,
  // paragraph gap) has as many paragraph gaps as line gaps, and read the paragraph gap as its
  // line spacing, every entry running into the next. Gaps a line's height apart count first.
  const lineGaps = gaps.filter((gap) => gap >= bodySize * 0.9 && gap <= bodySize * 1.5);
  const spacing =
    lineGaps.length >= gaps.length * 0.2
      ? mostCommon(lineGaps)
      : gaps.length > 0
        ? mostCommon(gaps)
        : bodySize * 1.2;
  const left = Math.min(...lines.map((line) => line.x));
  const measure = Math.max(...body.map((line) => line.right)) - left;
  return { bodySize, spacing, left, measure };
}

/** Lines into blocks: a new one at a wider gap, a change of indent, a heading or a bullet. */
function segment(lines: readonly Line[], style: Style): Block[] {
  const blocks: Block[] = [];
  let current: Block | null = null;
  const tolerance = style.bodySize * 0.5;
  for (const [index, line] of lines.entries()) {
    const previous = lines[index - 1];
    const isHeading = isHeadingLine(line, lines[index + 1], style);
    const isNewPage = previous !== undefined && previous.page !== line.page;
    const gap = previous && !isNewPage ? previous.y - line.y : 0;
    const isGap =
      gap > style.spacing * 1.3 ||
      line.size > style.bodySize * 1.15 !== (previous?.size ?? 0) > style.bodySize * 1.15;
    // Code that opens a line is not a bullet (a printed page's "`*`, `1.*` and `1.2.*` are examples").
    const isBullet = bulletStart.test(line.text) && !line.startsMonospace;
    const last = current?.lines[current.lines.length - 1];
    // A heading too long for the line wraps under itself, one heading line below the other
    // (rustc's "--check-cfg: configure compile-time checking of / conditional compilation").
    const continuesHeading =
      current?.type === 'heading' &&
      isHeading &&
      last !== undefined &&
      !isNewPage &&
      Math.abs(line.size - last.size) < 0.5 &&
      Math.abs(line.x - last.x) <= tolerance &&
      gap <= line.size * 1.6 &&
      !/[.:;!?]$/.test(last.text);
    if (continuesHeading) {
      current?.lines.push(line);
      continue;
    }
    const continues =
      current !== null &&
      !line.isTag &&
      last?.isTag !== true &&
      last !== undefined &&
      current.type !== 'heading' &&
      !isHeading &&
      !isGap &&
      !(isNewPage && sentenceEnd.test(last.text)) &&
      (current.type === 'list'
        ? !isBullet || Math.abs(line.x - (current.lines[0]?.x ?? 0)) <= tolerance
        : !isBullet) &&
      (Math.abs(line.x - last.x) <= tolerance ||
        // A synopsis wraps its option list under itself: `[-u | --include-untracked] …`.
        (line.x > last.x && /^[[|]/.test(line.text)) ||
        (/^[[|]/.test(last.text) && Math.abs(line.x - (current.lines[0]?.x ?? 0)) <= tolerance) ||
        // A paragraph's first line may be indented, or hang; a list item's text hangs after its bullet.
        // Not over a page break: there a line left of the last is the next entry's tag (diff(1)'s
        // `-r, --recursive` at the top of a page, after the one line of `--paginate`).
        (current.lines.length === 1 && current.type === 'paragraph' && line.x < last.x && !isNewPage) ||
        (current.type === 'list' && line.x >= (current.lines[0]?.x ?? 0) - tolerance));
    if (continues && current) {
      current.lines.push(line);
      if (current.type === 'list' && isBullet) current.items?.push(line.text);
      else if (current.type === 'list') {
        const items = current.items ?? [];
        items[items.length - 1] = `${items[items.length - 1] ?? ''}\n${line.text}`;
      }
      continue;
    }
    current = isHeading
      ? { type: 'heading', lines: [line] }
      : isBullet
        ? { type: 'list', lines: [line], items: [line.text] }
        : { type: 'paragraph', lines: [line] };
    blocks.push(current);
  }
  return blocks;
}

/** Larger than the body, or bold at the outer margin, short, and not a sentence. */
function isHeadingLine(line: Line, next: Line | undefined, style: Style): boolean {
  const words = line.text.split(/\s+/).length;
  if (words > 14 || /[.,;]$/.test(line.text) || !/\p{L}/u.test(line.text)) return false;
  if (line.size >= style.bodySize * 1.15) return true;
  const isAtMargin = line.x <= style.left + style.bodySize;
  const standsAlone =
    !next ||
    next.page !== line.page ||
    next.x > line.x + style.bodySize * 0.5 ||
    line.y - next.y > style.spacing * 1.3;
  return line.isBold && isAtMargin && standsAlone;
}

const allMonospace = (lines: readonly Line[]) => lines.every((line) => line.isMonospace);

/** Names each block: a short one followed by deeper-indented text is a definition's term; lines that keep their breaks are code. */
function classify(blocks: Block[], style: Style): Block[] {
  const setsCodeInMonospace = blocks.some((block) => block.lines.some((line) => line.isMonospace));
  const headingSizes = [
    ...new Set(
      blocks
        .filter((block) => block.type === 'heading')
        .map((block) => Math.round((block.lines[0]?.size ?? 0) * 2) / 2),
    ),
  ].sort((left, right) => right - left);
  const hasTitleSize = (headingSizes[0] ?? 0) >= style.bodySize * 1.3;
  for (const [index, block] of blocks.entries()) {
    const first = block.lines[0];
    if (!first) continue;
    if (block.type === 'heading') {
      const rank = headingSizes.indexOf(Math.round(first.size * 2) / 2);
      block.level = Math.min(4, rank + (hasTitleSize ? 1 : 2));
      continue;
    }
    if (block.type !== 'paragraph') continue;
    const next = blocks[index + 1];
    const nextFirst = next?.lines[0];
    const lastLine = block.lines[block.lines.length - 1];
    if (first.isTag) {
      block.type = 'term';
      continue;
    }
    // A listing whose first line starts left of the rest (a report's message, then its indented
    // stack trace) is one example, not a term and its definition: all of it is set in monospace.
    if (
      (next?.type === 'paragraph' || next?.type === 'code') &&
      allMonospace(block.lines) &&
      allMonospace(next.lines) &&
      nextFirst !== undefined &&
      nextFirst.x > first.x
    ) {
      block.type = 'code';
      block.lines = [...block.lines, ...next.lines];
      next.lines = [];
      continue;
    }
    // A term is a name, not prose: text going on past a sentence's end ("… a Texinfo manual. If
    // the info and diff programs are properly installed at your site, the command", then the
    // command indented) introduces what follows.
    const isShortTerm =
      block.lines.length <= 4 &&
      !/\p{Ll}[.!?]\s+\p{Lu}/u.test(block.lines.map((line) => line.text).join(' ')) &&
      !endsSentence(lastLine?.text ?? '.') &&
      nextFirst !== undefined &&
      next?.type !== 'heading' &&
      // Prose introducing an indented example ("You get these complaints ...") is no term.
      !(next !== undefined && allMonospace(next.lines) && !first.isBold) &&
      nextFirst.x > first.x + style.bodySize * 0.8;
    if (isShortTerm) block.type = 'term';
    else if (setsCodeInMonospace && isUnmarkedList(block, style)) {
      block.type = 'list';
      block.items = block.lines.map((line) => `• ${line.text}`);
    } else if (allMonospace(block.lines) || isPreformatted(block, style)) block.type = 'code';
  }
  return blocks;
}

/**
 * A listing with a blank line in it (an example's import, then its code) is one listing, not one
 * per paragraph of code, and one a page break cuts is one too: two code blocks set in monospace,
 * the second not left of the first, right under it with no more than a blank line between them or
 * opening the next page, are joined.
 */
function joinListings(blocks: readonly Block[], style: Style): Block[] {
  const joined: Block[] = [];
  const isListing = (block: Block) => block.type === 'code' && allMonospace(block.lines);
  for (const block of blocks) {
    if (block.lines.length === 0) continue;
    const last = joined[joined.length - 1];
    const lastLine = last?.lines[last.lines.length - 1];
    const first = block.lines[0];
    if (
      last &&
      lastLine &&
      first &&
      isListing(last) &&
      isListing(block) &&
      // Not left of where the listing starts (it may go on inside a nesting).
      first.x >= (last.lines[0]?.x ?? first.x) - style.bodySize * 0.5 &&
      // Or one goes on at the top of the next page, nothing between them.
      ((lastLine.page === first.page &&
        lastLine.y - first.y <= (lineSpacing([...last.lines, ...block.lines]) ?? style.spacing) * 2.2) ||
        first.page === lastLine.page + 1)
    ) {
      last.lines.push(...block.lines);
      continue;
    }
    joined.push(block);
  }
  return joined;
}

/**
 * A list whose bullets a browser drew as shapes, not text (a web page printed to PDF): short lines
 * of body text one under the other, all at one indent past the margin, each opening on a word.
 * Only where the document sets its code in monospace, so that proportional lines are not code.
 */
function isUnmarkedList(block: Block, style: Style): boolean {
  const [first] = block.lines;
  if (!first || block.lines.length < 2) return false;
  return (
    first.x > style.left + style.bodySize &&
    block.lines.every(
      (line) =>
        !line.isMonospace &&
        Math.abs(line.x - first.x) <= 1 &&
        Math.abs(line.size - style.bodySize) < 0.6 &&
        line.right - style.left < style.measure * 0.85 &&
        // Words, as a list item opens ("Works in Node.js and all modern browsers"), not a keyword
        // or a command a manual lists one a line.
        /^\p{Lu}\p{Ll}+\S*\s+\S/u.test(line.text),
    ) &&
    isPreformatted(block, style)
  );
}

/** The least gap between consecutive lines on one page, or null when there is none. */
function lineSpacing(lines: readonly Line[]): number | null {
  const gaps = gapsBetween(lines);
  return gaps.length === 0 ? null : Math.min(...gaps.map(({ gap }) => gap));
}

/** Each line that follows another on its page, lower down, with the gap above it. */
function gapsBetween(lines: readonly Line[]): { line: Line; gap: number }[] {
  const gaps: { line: Line; gap: number }[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const [previous, line] = [lines[index - 1], lines[index]];
    if (previous && line && previous.page === line.page && previous.y > line.y)
      gaps.push({ line, gap: previous.y - line.y });
  }
  return gaps;
}

/**
 * Lines none of which reaches across the text column (an example, a listing, a table printed as
 * text) keep their breaks; a paragraph fills its lines but the last.
 */
function isPreformatted(block: Block, style: Style): boolean {
  const lines = block.lines;
  const width = (line: Line) => line.right - line.x;
  const column = style.left + style.measure - (lines[0]?.x ?? style.left);
  if (lines.length === 1) {
    const line = lines[0];
    return line !== undefined && /^[$#>] \S/.test(line.text) && width(line) < column * 0.75;
  }
  // Command forms one under the other (a synopsis: `git stash list …`, `git stash show …`).
  const base = lines.filter((line) => Math.abs(line.x - (lines[0]?.x ?? 0)) < 1);
  const openings = base.map((line) => line.text.split(' ').slice(0, 2).join(' '));
  const repeated = Math.max(
    ...openings.map((opening) => openings.filter((other) => other === opening).length),
  );
  if (repeated >= 3 && !lines.some((line) => /\.$/.test(line.text))) return true;
  const inner = lines.slice(0, -1);
  return (
    inner.every((line) => width(line) < column * 0.7) &&
    lines.some((line) => !sentenceEnd.test(line.text) || /^[$#] /.test(line.text))
  );
}

/**
 * The words the document writes, to tell a word broken at a line end from a compound. The pieces
 * of a broken word are not words it writes: "delim-" + "ited" would otherwise vouch for themselves
 * and keep the hyphen ("delim-ited", xargs(1)), as if "ited" were a word of the page.
 */
function wordsOf(lines: readonly Line[]): Set<string> {
  const words = new Set<string>();
  let brokenTail = false;
  for (const line of lines) {
    const found = line.text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}-]*/gu) ?? [];
    const isBroken = /\p{L}-$/u.test(line.text);
    found.forEach((word, index) => {
      const isPiece = (brokenTail && index === 0) || (isBroken && index === found.length - 1);
      if (!isPiece) words.add(word);
    });
    brokenTail = isBroken;
  }
  return words;
}

/** Small words that join a phrase written as one word ("ahead-of-time", "up-to-date"). */
const phraseWords = new Set(['a', 'and', 'at', 'by', 'for', 'in', 'of', 'on', 'or', 'the', 'to']);

/**
 * Joins a paragraph's lines. A word broken at a line end with a hyphen is joined when the
 * document spells it whole elsewhere, or when its pieces are not words of their own
 * ("compatibil-" + "ity"); an option (`--include-` + `untracked`), a compound of two words
 * the document uses ("ends-" + "up") and a phrase broken after one of its small words
 * ("ahead-of-" + "time") keep the hyphen.
 */
export function joinLines(lines: readonly string[], vocabulary: ReadonlySet<string>): string {
  let text = '';
  for (const line of lines) {
    if (text === '') {
      text = line;
      continue;
    }
    const broken = /(^|\s)(\S*?)([\p{L}]+)-$/u.exec(text);
    const nextWord = /^([\p{Ll}]+)/u.exec(line)?.[1];
    if (broken && nextWord) {
      const prefix = broken[2] ?? '';
      const head = (broken[3] ?? '').toLowerCase();
      const whole = `${head}${nextWord}`.toLowerCase();
      const isOption = prefix.startsWith('-');
      // A phrase written as one word, broken after one of its small words ("ahead-of-" + "time",
      // "up-to-" + "date", "state-of-the-" + "art"), keeps its hyphen.
      const isPhrase = prefix.endsWith('-') && phraseWords.has(head);
      const isCompound =
        vocabulary.has(`${head}-${nextWord}`) || (vocabulary.has(head) && vocabulary.has(nextWord));
      const keepsHyphen = isOption || isPhrase || (isCompound && !vocabulary.has(whole));
      text = keepsHyphen ? `${text}${line}` : `${text.slice(0, -1)}${line}`;
      continue;
    }
    text = `${text} ${line}`;
  }
  return text;
}

function render(block: Block, vocabulary: ReadonlySet<string>, style: Style): string {
  const texts = block.lines.map((line) => line.text);
  switch (block.type) {
    case 'heading':
      return `${'#'.repeat(block.level ?? 2)} ${texts.join(' ')}`;
    case 'term':
      return `**${joinLines(texts, vocabulary).replace(/\*/g, '')}**`;
    case 'list':
      return (block.items ?? [])
        .map((item) => {
          const text = joinLines(item.split('\n'), vocabulary);
          const bullet = /^([•·◦▪▸►‣⁃∙*-])\s+/u.exec(text);
          return bullet ? `- ${text.slice(bullet[0].length)}` : text;
        })
        .join('\n');
    case 'code': {
      const left = Math.min(...block.lines.map((line) => line.x));
      // A gap wider than the listing's own line spacing is a blank line of it.
      const gaps = gapsBetween(block.lines);
      const spacing = mostCommon(gaps.map(({ gap }) => Math.round(gap * 2) / 2));
      const blankBefore = new Set(gaps.filter(({ gap }) => gap > spacing * 1.5).map(({ line }) => line));
      const body = block.lines
        .map(
          (line) =>
            (blankBefore.has(line) ? '\n' : '') +
            ' '.repeat(Math.max(0, Math.round((line.x - left) / (style.bodySize * 0.5)))) +
            codeText(line),
        )
        .join('\n');
      const fence = body.includes('```') ? '````' : '```';
      return `${fence}\n${body}\n${fence}`;
    }
    case 'paragraph':
      return joinLines(texts, vocabulary);
  }
}

/** A code line keeps the gaps between its runs (a comment set off from its command). */
function codeText(line: Line): string {
  let text = '';
  let end = Number.NEGATIVE_INFINITY;
  for (const item of line.items) {
    const gap = item.x - end;
    if (text !== '') {
      const spaces = Math.round(gap / (item.size * 0.5));
      if (gap > 0.15 * item.size && !/\s$/.test(text)) text += ' '.repeat(Math.max(1, Math.min(spaces, 8)));
    }
    text += item.text;
    end = Math.max(end, item.x + item.width);
  }
  return normaliseDashes(text.trimEnd());
}
