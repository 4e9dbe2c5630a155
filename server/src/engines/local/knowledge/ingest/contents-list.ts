import { findHeadings } from './document-outline.js';

/**
 * A document's table of contents, as a PDF or a Word file carries it: blocks made of the titles
 * of the document's own headings ("4.1. Overview 4.2. Explanation of error messages", "1.2
 * Installation ........ 5", Word's TOC field), with nothing else but numbering, dot leaders and
 * page numbers. It names sections rather than saying anything, so it is dropped, with a
 * "Contents" title it leaves empty. A web page's contents are lists of links, dropped when the
 * page is read (html-to-text.ts); these have no links left to tell them by.
 */
export function withoutContentsLists(text: string): string {
  const titles = [
    ...new Set(
      findHeadings(text)
        .map((heading) => lettersOf(heading.text))
        .filter((title) => title.replace(/ /g, '').length >= minimumTitleLetters),
    ),
  ].sort((left, right) => right.length - left.length);
  if (titles.length < minimumTitles) return text;
  const blocks = blocksOf(text);
  const titled = blocks.map((block) => (isHeadingBlock(block) ? 0 : titlesCovering(block, titles)));
  // Two titles or more in one block, or one a block in a run of such blocks (Word's contents: a
  // paragraph per entry).
  const isContents = titled.map(
    (count, index) =>
      count >= minimumTitles ||
      (count === 1 && ((titled[index - 1] ?? 0) > 0 || (titled[index + 1] ?? 0) > 0)),
  );
  if (!isContents.some(Boolean)) return text;
  // Blocks are never blank: a "Contents" title whose list is gone (the next block) titles nothing.
  const kept = blocks.filter(
    (block, index) =>
      !isContents[index] && !(contentsTitle.test(lettersOf(block)) && isContents[index + 1] === true),
  );
  return kept.join('\n\n');
}

const minimumTitles = 2;
/** Titles shorter than this ("Use", "API") turn up inside ordinary sentences. */
const minimumTitleLetters = 4;
/** Share of a block's letters the titles it holds must cover. */
const contentsShare = 0.8;
const contentsTitle = /^(?:table of )?contents$/;

/** Paragraphs and code blocks (a fence whole, blank lines inside it too), in order. */
function blocksOf(text: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const opening = /^(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === null && opening) fence = opening;
    else if (fence !== null && line.startsWith(fence) && line.trim() === fence) fence = null;
    if (fence === null && line.trim() === '' && !opening) {
      if (current.length > 0) blocks.push(current.join('\n'));
      current = [];
      continue;
    }
    current.push(line);
  }
  if (current.length > 0) blocks.push(current.join('\n'));
  return blocks;
}

const isHeadingBlock = (block: string) => findHeadings(block).length > 0 && !block.includes('\n');

/** How many titles a block holds when they cover nearly all of its letters; 0 otherwise. */
function titlesCovering(block: string, titles: readonly string[]): number {
  let rest = ` ${lettersOf(block)} `;
  const letters = rest.replace(/ /g, '').length;
  if (letters === 0) return 0;
  let found = 0;
  for (const title of titles) {
    const needle = ` ${title} `;
    while (rest.includes(needle)) {
      rest = rest.replace(needle, ' ');
      found += 1;
    }
  }
  const covered = letters - rest.replace(/ /g, '').length;
  return covered / letters >= contentsShare ? found : 0;
}

/** A text's words, lower case, without numbering, punctuation or Markdown marks. */
function lettersOf(text: string): string {
  return text
    .toLowerCase()
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/[^\p{L}]+/gu, ' ')
    .trim();
}
