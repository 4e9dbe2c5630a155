import { dedent, tableRowText, tableSeparatorRow } from '../../../common/index.js';

/**
 * Splits a retrieved chunk into passages a person can read: each heading or definition term
 * (Markdown `#`, AsciiDoc `==` and underlined titles, `--option::` terms) opens a passage that
 * runs to the next one. Inside a passage, paragraphs are reflowed, code (fenced, `----`-delimited
 * or `$`-prompted) is kept verbatim, and list items and table rows stay whole lines.
 */
export type Block = {
  type: 'paragraph' | 'code' | 'list' | 'table';
  text: string;
  /** A fenced block's info string (`js`, `nginx`), kept so the client highlights it alike. */
  language?: string;
};

export type Passage = {
  /** The heading or definition term the passage sits under, if the chunk shows it. */
  label: string | null;
  /** Whether the label is a definition term (an option or subcommand entry) rather than a heading. */
  isTerm: boolean;
  /** A Markdown or AsciiDoc heading's level (`###` is 3), when the label is one. */
  level?: number;
  blocks: Block[];
};

const markdownFence = /^\s*(```|~~~)\s*([\w+#.-]*)/;
const asciidocDelimiter = /^(-{4,}|\.{4,})\s*$/;
const containerDelimiter = /^(={4,}|\*{4,}|_{4,}|--)\s*$/;
const atxHeading = /^(#{1,6}|={1,6})[ \t]+(.+?)[ \t#=]*$/;
const underline = /^(=+|-+|~+|\^+|\++)[ \t]*$/;
const definitionTerm = /^(\S.*?)(::|;;)\s*$/;
// `[source,c]`, and AsciiDoc block anchors (`[[id]]`, `[[[id]]]`) on a line of their own.
const attributeLine = /^(?:\[[^\]]*\]|\[\[\[?[^\]]*\]\]\]?)\s*$/;
const listItem = /^\s*([-*+•]|\d+[.)]|<\d+>)\s+\S/;
const tableRow = /^\s*\|/;
const boldLine = /^\*\*([^*]+)\*\*$/;

export function splitPassages(text: string): Passage[] {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const passages: Passage[] = [];
  let passage: Passage = { label: null, isTerm: false, blocks: [] };
  let paragraph: string[] = [];
  let list: string[] = [];
  let table: string[] = [];
  let code: string[] | null = null;
  let codeLanguage = '';
  let closeCode: RegExp | null = null;
  // A chunk cut inside a listing opens with the listing's last lines: its first delimiter closes.
  const closer = openingCodeCloser(lines);
  if (closer !== null) {
    code = [];
    closeCode = closer;
  }

  let rawList: string[] = [];
  // Whether the paragraph being read is a Markdown blockquote (its lines open on `>`).
  let isQuote = false;
  const flush = () => {
    // A table of contents, a menu, a "see also" list of links: navigation, never an answer.
    if (paragraph.length > 0 && !isNavigation(paragraph))
      passage.blocks.push({ type: 'paragraph', text: `${isQuote ? '> ' : ''}${reflow(paragraph)}` });
    isQuote = false;
    if (list.length > 0 && !isNavigation(rawList))
      passage.blocks.push({ type: 'list', text: list.join('\n') });
    if (table.length > 0) passage.blocks.push({ type: 'table', text: table.join('\n') });
    paragraph = [];
    list = [];
    rawList = [];
    table = [];
  };
  const open = (label: string, isTerm = false, level?: number) => {
    flush();
    if (passage.label !== null || passage.blocks.length > 0) passages.push(passage);
    passage = level === undefined ? { label, isTerm, blocks: [] } : { label, isTerm, level, blocks: [] };
  };

  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (code !== null) {
      if (closeCode?.test(line)) {
        passage.blocks.push(codeBlock(code, codeLanguage));
        code = null;
      } else code.push(line);
      continue;
    }
    const trimmed = line.trim();
    const next = lines[index + 1];
    const delimiter = codeDelimiter(line, lines[index - 1]);
    if (delimiter) {
      flush();
      code = [];
      codeLanguage = delimiter.language;
      closeCode = delimiter.closer;
      continue;
    }
    // A blockquote (pino's "> ## Note" / "> This section describes …") reads as one quoted
    // paragraph, its markers dropped and a heading inside it bold, not as "> ## Note > This …".
    const quoted = /^>\s?(.*)$/.exec(trimmed);
    if (quoted) {
      if (!isQuote) flush();
      const inner = (quoted[1] ?? '').trim();
      const innerHeading = atxHeading.exec(inner);
      if (inner === '') flush();
      else {
        paragraph.push(innerHeading?.[2] ? `**${stripMarkup(innerHeading[2])}**` : inner);
        isQuote = true;
      }
      continue;
    }
    if (isQuote) flush();
    const heading = atxHeading.exec(trimmed);
    if (heading?.[2] && !/^\s/.test(line)) {
      open(stripMarkup(heading[2]), false, heading[1]?.length);
      continue;
    }
    // A line that is all bold, opening a paragraph, titles what follows (a FAQ's "**Question?**").
    const boldTitle = boldLine.exec(trimmed);
    if (boldTitle?.[1] && paragraph.length === 0 && list.length === 0) {
      // A bold line that asks nothing is a definition's term (how PDFs, Word documents and web
      // pages set an option's entry); one that asks is a FAQ's question.
      open(stripMarkup(boldTitle[1]), !/\?\s*$/.test(boldTitle[1]));
      continue;
    }
    if (next !== undefined && trimmed !== '' && isUnderlineOf(line, next.trim())) {
      open(stripMarkup(trimmed));
      index += 1;
      continue;
    }
    const term = definitionTerm.exec(line);
    if (term?.[1] && !/^\s/.test(line)) {
      // Consecutive terms (`-n::` then `--dry-run::`) name one definition.
      const label = stripMarkup(term[1]);
      if (passage.blocks.length === 0 && paragraph.length === 0 && passage.isTerm)
        passage.label = `${passage.label ?? ''}, ${label}`;
      else open(label, true);
      continue;
    }
    if (
      trimmed === '' ||
      trimmed === '+' ||
      containerDelimiter.test(trimmed) ||
      attributeLine.test(trimmed)
    ) {
      flush();
      continue;
    }
    if (tableRow.test(line)) {
      if (paragraph.length > 0 || list.length > 0) flush();
      table.push(stripMarkup(trimmed));
      continue;
    }
    if (listItem.test(line)) {
      if (paragraph.length > 0 || table.length > 0) flush();
      list.push(stripMarkup(trimmed));
      rawList.push(trimmed);
      continue;
    }
    if (list.length > 0 && /^\s+\S/.test(line)) {
      // A wrapped list item continues on an indented line.
      list[list.length - 1] = `${list[list.length - 1] ?? ''} ${stripMarkup(trimmed)}`;
      rawList[rawList.length - 1] = `${rawList[rawList.length - 1] ?? ''} ${trimmed}`;
      continue;
    }
    if (isShellLine(trimmed) && paragraph.length === 0) {
      // A `$ command` paragraph is a transcript: keep its lines as code.
      flush();
      const transcript = [line];
      while (index + 1 < lines.length && (lines[index + 1] ?? '').trim() !== '')
        transcript.push(lines[++index] ?? '');
      passage.blocks.push({ type: 'code', text: dedent(transcript).join('\n') });
      continue;
    }
    if (list.length > 0 || table.length > 0) flush();
    paragraph.push(trimmed);
  }
  if (code !== null && code.length > 0) passage.blocks.push(codeBlock(code, codeLanguage));
  flush();
  if (passage.label !== null || passage.blocks.length > 0) passages.push(passage);
  return passages.filter((item) => item.blocks.length > 0);
}

/**
 * The closing delimiter when a chunk starts inside a code listing, else null. Chunks are cut at
 * paragraph ends, and a listing's blank line is one: the user manual's chunk that opens on the end
 * of the interactive rebase's todo list (`# r, reword = use commit, …`) read its comment lines as
 * headings and the listing's closing `-----` as an opening, quoting the prose after it as 300 words
 * of code. Read so only when what comes before the first delimiter is code-like and what comes
 * after it is prose: a chunk opening on prose, or on a listing of prose, reads as before.
 */
function openingCodeCloser(lines: readonly string[]): RegExp | null {
  const first = lines.findIndex((line, index) => codeDelimiter(line, lines[index - 1]) !== null);
  const opening = codeDelimiter(lines[first] ?? '', lines[first - 1]);
  // A fence with an info string (```js) only ever opens; a run of four or more (a title's `~~~~`
  // underline) is no fence to close.
  if (first <= 0 || !opening || /^(```|~~~)\S/.test(lines[first]?.trim() ?? '')) return null;
  const pattern = opening.closer;
  const second = lines.findIndex((line, index) => index > first && pattern.test(line));
  // The lines nearest the delimiter on either side decide; past them a section may change kind.
  const before = lines
    .slice(0, first)
    .filter((line) => line.trim() !== '')
    .slice(-nearLines);
  const after = lines
    .slice(first + 1, second === -1 ? undefined : second)
    .filter((line) => line.trim() !== '')
    .slice(0, nearLines);
  // A title before it (`NAME` over `----`, `== Usage`) is the document's own: the chunk opens
  // outside. (A `# line` may be a shell or todo-list comment.)
  const hasTitle = lines
    .slice(0, first)
    .some((line, index) => /^={1,6}\s/.test(line) || isUnderlineOf(lines[index - 1], line.trim()));
  if (hasTitle || before.length === 0) return null;
  // A bare fence followed by one with an info string (```js), which only ever opens, closes: the
  // chunk of ws's README that opens on `server.listen(8080);` and its fence read the prose and the
  // next section's heading and example after it as one listing.
  const next = lines.findIndex(
    (line, index) => index > first && codeDelimiter(line, lines[index - 1]) !== null,
  );
  if (next !== -1 && codeDelimiter(lines[next] ?? '', lines[next - 1])?.language) return pattern;
  const beforeIsCode = proseShare(before) <= 0.25;
  // So does one between code and a heading (Node's readline page: an example's last lines, its
  // fence, then `### TTY keybindings` and a table; git-config(5): its example's last lines, the
  // listing's `----`, then the `Values` title and its underline). A link's reference definition
  // (`[nginx]: https://nginx.org/`) may come between them.
  const following = lines.findIndex(
    (line, index) => index > first && line.trim() !== '' && !linkDefinition.test(line),
  );
  const isHeading =
    following !== -1 &&
    (/^#{1,6}\s+\S/.test(lines[following] ?? '') ||
      isUnderlineOf(lines[following], lines[following + 1]?.trim() ?? ''));
  if (isHeading && beforeIsCode) return pattern;
  if (after.length < 3) return null;
  return beforeIsCode && proseShare(after) >= 0.75 ? pattern : null;
}

const nearLines = 8;

/**
 * A line that opens a code listing (a Markdown fence, an AsciiDoc `----` or `....` that does not
 * underline a title): the pattern of the line that closes it, and a fence's info string.
 */
function codeDelimiter(
  line: string,
  previous: string | undefined,
): { closer: RegExp; language: string } | null {
  const fence = markdownFence.exec(line);
  if (fence?.[1]) return { closer: new RegExp(`^\\s*${fence[1]}\\s*$`), language: fence[2] ?? '' };
  const trimmed = line.trim();
  if (!asciidocDelimiter.test(trimmed) || isUnderlineOf(previous, trimmed)) return null;
  return { closer: new RegExp(`^${trimmed.replace(/\./g, '\\.')}\\s*$`), language: '' };
}

/**
 * Share of lines that read as running prose: they open on a word, and at least four of their
 * tokens, most of them, are plain words (a command's `credential.helper` or `$options` is not).
 */
function proseShare(lines: readonly string[]): number {
  const isProse = (line: string) => {
    // A link reads as its words ("See the [documentation](https://…)").
    const text = line.trim().replace(/\[([^\]]*)\]\([^)\s]*\)/g, '$1');
    const tokens = text.split(/\s+/);
    const words = tokens.filter((token) => plainWord.test(token)).length;
    return /^[\p{L}"'`(]/u.test(text) && words >= 4 && words >= tokens.length * 0.7;
  };
  return lines.filter(isProse).length / Math.max(1, lines.length);
}

const linkDefinition = /^\s{0,3}\[[^\]]+\]:\s*\S+\s*$/;

const plainWord = /^["'`(]?\p{L}[\p{L}'’-]*[.,;:!?)"'`]*$/u;

// A link's text may hold brackets of its own: an API's signature with its optional arguments
// (`[.compileValidationSchema(schema, [httpPart])](#compilevalidationschema)` in Fastify's
// contents of Request.md, whose one such line kept the whole contents list as an answer).
const linkOnlyItem =
  /^(?:(?:[-*+•]|\d+[.)])\s+)?(?:\[(?:[^[\]]|\[[^[\]]*\])*\]\((?:[^()\s]|\([^()\s]*\))*\)|<a\s[^>]*>[^<]*<\/a>)[\s.,;]*$/i;
// "Installation ........ 3": a printed table of contents' entry (a PDF's joins them on one line).
const dotLeaderEntry = /(?:\.\s?){4,}\s*\d+/g;

/**
 * Lines that only point elsewhere: every list item a bare link (a Markdown table of contents, a
 * menu), or mostly entries of a printed table of contents, with dot leaders and page numbers.
 */
function isNavigation(lines: readonly string[]): boolean {
  if (lines.length >= 2 && lines.every((line) => linkOnlyItem.test(line.trim()))) return true;
  const entries = lines.reduce((count, line) => count + (line.match(dotLeaderEntry)?.length ?? 0), 0);
  return entries >= 2 && entries >= Math.max(lines.length, 2) * 0.6;
}

/** The passage as Markdown: its label in bold on a line of its own, code fenced, lists kept. */
export function renderPassage(passage: Passage, blocks: readonly Block[] = passage.blocks): string {
  const parts = blocks.map((block) =>
    block.type === 'code' ? fenceCode(block.text, block.language) : escapePlaceholders(block.text),
  );
  if (passage.label) parts.unshift(`**${escapePlaceholders(passage.label.replace(/\*/g, ''))}**`);
  // A block left with nothing to show (a line that was only an HTML anchor) adds no blank lines.
  return parts.filter((part) => part.trim() !== '').join('\n\n');
}

/**
 * Markdown reads `<commit>` outside a code span as an HTML tag, which renderers drop: escaped,
 * the placeholder shows as written. Code spans are left as they are (a backslash would show there).
 */
function escapePlaceholders(text: string): string {
  return text
    .split(/(`+[^`]*`+)/)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/<(?=[\p{L}/])/gu, '\\<')))
    .join('');
}

/** Plain text of a passage, as the scorer and the citation quote see it. */
export const passagePlainText = (passage: Passage, blocks: readonly Block[] = passage.blocks): string =>
  [
    passage.label ?? '',
    ...blocks.map((block) => (block.type === 'table' ? plainTable(block.text) : block.text)),
  ]
    .filter((part) => part !== '')
    .join('\n');

/** A Markdown table read as text: a row per line, cells apart, no pipes or separator row. */
const plainTable = (text: string): string =>
  text
    .split('\n')
    .filter((row) => !tableSeparatorRow.test(row))
    .map(tableRowText)
    .join('\n');

function fenceCode(text: string, language = ''): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${text}\n${fence}`;
}

const codeBlock = (lines: readonly string[], language: string): Block =>
  language === ''
    ? { type: 'code', text: dedent(lines).join('\n') }
    : { type: 'code', text: dedent(lines).join('\n'), language };

function isUnderlineOf(title: string | undefined, candidate: string): boolean {
  const marker = underline.exec(candidate)?.[1];
  const heading = title?.trim() ?? '';
  // A title may name an option (`-L option of ssh nonfree`), not open on a marker or delimiter.
  if (
    !marker ||
    heading === '' ||
    /^(?:-(?!-?[A-Za-z])|[=~^+*`|.[])/.test(heading) ||
    definitionTerm.test(heading)
  )
    return false;
  return marker.length >= 2 && Math.abs(marker.length - heading.length) <= 2;
}

const isShellLine = (line: string) => /^\$ \S/.test(line);

/**
 * Joins a paragraph's lines. Links read as their text, HTML anchors go, and AsciiDoc's
 * `linkgit:git-add[1]` reads as `git-add(1)`: an answer quotes prose, not markup.
 */
function reflow(lines: readonly string[]): string {
  return stripMarkup(lines.join(' ').replace(/\s+/g, ' ').trim());
}

// HTML a Markdown document may embed. Anything else in angle brackets is text: a manual's
// `<commit>` or `--gpg-sign[=<keyid>]` placeholder is part of the answer.
const htmlTag =
  /<\/?(?:a|abbr|b|br|center|code|dd|del|details|div|dl|dt|em|figcaption|figure|font|h[1-6]|hr|i|img|ins|kbd|li|mark|ol|p|picture|pre|s|samp|small|source|span|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|u|ul|var|video)\b[^>]*>/gi;

function stripMarkup(text: string): string {
  return (
    text
      .replace(/<a\s[^>]*>\s*<\/a>/gi, '')
      .replace(htmlTag, '')
      .replace(/!?\[([^\]]*)\]\((?:[^()\s]|\([^()\s]*\))*\)/g, '$1')
      .replace(/linkgit:([\w.-]+)\[(\d)\]/g, '$1($2)')
      // AsciiDoc anchors vanish; a cross-reference reads as its text (or its target when it has none).
      .replace(/\[\[\[?[\w:.-]+(?:,[^\]]*)?\]\]\]?/g, '')
      .replace(/<<([\w:.-]+)(?:,\s*([^>]+))?>>/g, (_match, target: string, text?: string) => text ?? target)
      .replace(/\{litdd\}/g, '--')
      .replace(/^'([^']+)'/, '$1')
      .trim()
  );
}
