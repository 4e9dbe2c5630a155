import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { normaliseDashes } from './normalise-dashes.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

// Never content: code, forms, media, and the page's own chrome (navigation, sidebars).
const droppedTags = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'math',
  'head',
  'nav',
  'aside',
  'button',
  'select',
  'input',
  'textarea',
  'iframe',
  'canvas',
  'object',
  'embed',
  'dialog',
]);
const droppedRoles = new Set([
  'navigation',
  'banner',
  'contentinfo',
  'search',
  'complementary',
  'menu',
  'menubar',
]);
/**
 * Class and id words documentation generators give their chrome when they use no `nav` element:
 * DocBook XSL (`navheader`, `navfooter`, a `toc` div), gtk-doc (`navigation` tables), Sphinx
 * (`related`, `sphinxsidebar`), texinfo (`nav-panel`), javadoc (`topNav`, `subNav`), Doxygen
 * (`navpath`), and sites' own `navbar`, `breadcrumb`, `sidebar`, `menu`. A class or id is chrome
 * when one of its words (split at `-` and `_`, case ignored) is one of these.
 */
const chromeWords = new Set([
  'nav',
  'navbar',
  'navheader',
  'navfooter',
  'navigation',
  'navpath',
  'topnav',
  'subnav',
  'bottomnav',
  'breadcrumb',
  'breadcrumbs',
  'sidebar',
  'sphinxsidebar',
  'sphinxsidebarwrapper',
  'toc',
  'menu',
  'menubar',
  'pagination',
  'pager',
]);
const pageTags = new Set(['html', 'body', 'main']);
/** A class that names the page's header or footer whole (texinfo's `header` div of Next/Up links). */
const pageEndClasses = new Set(['header', 'footer', 'related']);
// Where a `header` or `footer` belongs to the text (an article's title, a section's notes).
const contentSections = new Set(['article', 'main', 'section']);
const blockTags = new Set([
  'address',
  'article',
  'blockquote',
  'body',
  'center',
  'details',
  'dd',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hgroup',
  'hr',
  'html',
  'li',
  'main',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'ul',
]);
const codeTags = new Set(['code', 'kbd', 'samp', 'tt']);
const strongTags = new Set(['strong', 'b']);

type Context = { isInContent: boolean; listDepth: number };

const attribute = (element: Element, name: string) => element.attrs.find((attr) => attr.name === name)?.value;
const isElement = (node: Node): node is Element => 'tagName' in node;
/** Hidden by the page itself (`hidden`, `aria-hidden="true"`): not shown, so not read. */
const isHidden = (element: Element) =>
  attribute(element, 'hidden') !== undefined || attribute(element, 'aria-hidden') === 'true';
const childrenOf = (node: Node): Node[] => ('childNodes' in node ? node.childNodes : []);

/**
 * Reduces an HTML page (or the HTML mammoth makes of a DOCX) to the Markdown the chunker and the
 * answerer read: headings as `#` lines, paragraphs, lists as `- ` items, tables as Markdown
 * tables, `pre` as fenced code, inline code in backticks, a definition's term or an all-bold line
 * as `**term**`. The page's chrome is not content: `nav`, `aside`, page-level `header` and
 * `footer`, ARIA navigation and banners, and lists made only of links (a table of contents, a
 * menu, a "see also" list) are dropped, with a heading left with nothing under it.
 */
export function htmlToText(html: string): string {
  const document = parse(html);
  // A page that marks its main content (`<main>` or `role="main"`: mdbook, rustdoc, Sphinx and most
  // documentation themes) has said what is not chrome; its sidebar, menus and pop-ups stay out,
  // whatever they are called.
  const main = mainContent(document);
  const blocks = (
    main
      ? blocksOf(main, { isInContent: true, listDepth: 0 })
      : blocksOf(document, { isInContent: false, listDepth: 0 })
  ).blocks
    .map((block) => normaliseDashes(block))
    .filter((block) => block.trim() !== '');
  return blocks.filter((block, index) => !isEmptyContentsHeading(block, blocks[index + 1])).join('\n\n');
}

const hasHeading = (node: Node): boolean =>
  childrenOf(node).some((child) => isElement(child) && (/^h[1-6]$/.test(child.tagName) || hasHeading(child)));

/**
 * The page's one visible main content, `<main>` or its ARIA role (Sphinx's `<div class="body"
 * role="main">`, the Read the Docs theme's `<div role="main" class="document">` inside
 * `wy-nav-content`), when it has one and it holds text; null otherwise.
 */
function mainContent(document: Node): Element | null {
  const found: Element[] = [];
  const walk = (node: Node) => {
    for (const child of childrenOf(node)) {
      if (!isElement(child) || droppedTags.has(child.tagName)) continue;
      if (isHidden(child)) continue;
      if (child.tagName === 'main' || attribute(child, 'role') === 'main') found.push(child);
      else walk(child);
    }
  };
  walk(document);
  const [main] = found;
  return found.length === 1 && main && textContent(main).trim() !== '' ? main : null;
}

/** A "Contents" heading whose list of links was dropped: the next heading is no deeper than it. */
function isEmptyContentsHeading(block: string, next: string | undefined): boolean {
  const heading = /^(#{1,6}) (?:table of )?contents$/i.exec(block.trim());
  if (!heading?.[1]) return false;
  const nextLevel = next === undefined ? 0 : (/^(#{1,6}) /.exec(next)?.[1]?.length ?? 7);
  return nextLevel <= heading[1].length;
}

type Blocks = { blocks: string[]; droppedLinks: boolean };

/** The blocks of a container: its block children in turn, runs of inline content as paragraphs. */
function blocksOf(node: Node, context: Context): Blocks {
  return blocksOfNodes(childrenOf(node), context);
}

function blocksOfNodes(nodes: readonly Node[], context: Context): Blocks {
  const blocks: string[] = [];
  let droppedLinks = false;
  let inline: Node[] = [];
  const flushInline = () => {
    const paragraph = paragraphOf(inline);
    if (paragraph !== '') blocks.push(paragraph);
    inline = [];
  };
  for (const child of nodes) {
    if (!isElement(child) || !blockTags.has(child.tagName)) {
      if (!isElement(child) || !isDropped(child, context)) inline.push(child);
      continue;
    }
    flushInline();
    if (isDropped(child, context)) continue;
    const result = blockOf(child, context);
    droppedLinks ||= result.droppedLinks;
    blocks.push(...result.blocks);
  }
  flushInline();
  return { blocks, droppedLinks };
}

function isDropped(element: Element, context: Context): boolean {
  if (droppedTags.has(element.tagName)) return true;
  const role = attribute(element, 'role');
  if (role !== undefined && droppedRoles.has(role)) return true;
  if (isHidden(element)) return true;
  // The page itself and its main content are never chrome, whatever state their classes record
  // (mdbook writes `<html class="light sidebar-visible">`).
  if (pageTags.has(element.tagName)) return false;
  const names = [...(attribute(element, 'class') ?? '').split(/\s+/), attribute(element, 'id') ?? '']
    .map((name) => name.toLowerCase())
    .filter((name) => name !== '');
  if (names.some((name) => name.split(/[-_]/).some((word) => chromeWords.has(word)))) return true;
  // gtk-doc and DocBook label their navigation tables for screen readers.
  if (/^navigation\b/i.test(attribute(element, 'summary') ?? '')) return true;
  const isPageEnd =
    element.tagName === 'header' ||
    element.tagName === 'footer' ||
    names.some((name) => pageEndClasses.has(name));
  return isPageEnd && !context.isInContent;
}

function blockOf(element: Element, context: Context): Blocks {
  const tag = element.tagName;
  const none = { blocks: [], droppedLinks: false };
  if (/^h[1-6]$/.test(tag)) {
    const text = inlineText(element.childNodes);
    return text === '' ? none : { blocks: [`${'#'.repeat(Number(tag[1]))} ${text}`], droppedLinks: false };
  }
  // A definition list of links only is a table of contents too (DocBook's `<dl class="toc">`).
  if (tag === 'dl' && isLinkList(element)) return { blocks: [], droppedLinks: true };
  switch (tag) {
    case 'p': {
      const entry = headedParagraph(element);
      if (entry) return { blocks: entry, droppedLinks: false };
      const text = paragraphOf(element.childNodes);
      return text === '' ? none : { blocks: [text], droppedLinks: false };
    }
    case 'dt':
    case 'summary':
    case 'figcaption': {
      // A summary that holds a heading (rustdoc's `<summary><section><h4>pub fn push(…)</h4>`) is
      // a container: the heading stays a heading.
      if (tag === 'summary' && hasHeading(element)) return blocksOf(element, context);
      const text = paragraphOf(element.childNodes, tag === 'dt');
      return text === '' ? none : { blocks: [text], droppedLinks: false };
    }
    case 'pre':
      return { blocks: [fencedCode(element)], droppedLinks: false };
    case 'ul':
    case 'ol':
      if (isLinkList(element)) return { blocks: [], droppedLinks: true };
      return {
        blocks: [
          listOf(element, context)
            .join('\n')
            .replace(/\n{3,}/g, '\n\n')
            .replace(/^\n+|\n+$/g, ''),
        ],
        droppedLinks: false,
      };
    case 'table': {
      // A table of links (a menu, "Related links"): navigation, as a list of links is.
      if (isLinkTable(element)) return { blocks: [], droppedLinks: true };
      if (!isLayoutTable(element))
        return { blocks: [tableOf(element)].filter((block) => block !== ''), droppedLinks: false };
      // A page laid out with a table (libxslt's and many older manuals): its cells are the page's
      // regions (logo, menu, the text), read in turn; a cell left with only its title once its
      // menu of links is gone is dropped with it.
      const blocks: string[] = [];
      let droppedLinks = false;
      const cells = ownCells(element);
      const inners = new Map(cells.map((cell) => [cell, blocksOf(cell, context)]));
      const terms = definitionTerms(element, (cell) => (inners.get(cell) ?? blocksOf(cell, context)).blocks);
      for (const cell of cells) {
        const inner = inners.get(cell) ?? blocksOf(cell, context);
        droppedLinks ||= inner.droppedLinks;
        if (inner.droppedLinks && inner.blocks.every(isTitleBlock)) continue;
        blocks.push(...(terms.has(cell) ? inner.blocks.map((block) => `**${block}**`) : inner.blocks));
      }
      // A menu's title in one cell, its links in another.
      if (droppedLinks && blocks.every(isTitleBlock)) return { blocks: [], droppedLinks };
      return { blocks, droppedLinks };
    }
    case 'hr':
      return none;
    default: {
      const inner = blocksOf(element, {
        ...context,
        isInContent: context.isInContent || contentSections.has(tag),
      });
      // A table of contents gone, its "Contents" heading has nothing left to title.
      if (inner.droppedLinks && inner.blocks.every((block) => /^#{1,6} /.test(block)))
        return { blocks: [], droppedLinks: true };
      return inner;
    }
  }
}

/** Inline content as one paragraph; all of it bold (or a `dt`) makes it a `**term**` line. */
function paragraphOf(nodes: readonly Node[], isTerm = false): string {
  const text = inlineText(nodes);
  if (text === '') return '';
  const isAllBold = !isTerm && isOnlyStrong(nodes);
  return (isTerm || isAllBold) && !text.includes('\n') && !text.includes('*') ? `**${text}**` : text;
}

/**
 * A paragraph that opens on its entry's name in bold and breaks the line before what it says
 * (underscore's `<p><b class="header">debounce</b><code>_.debounce(function, wait)</code><br>
 * Creates and returns…`): the name line as a term, its description as the paragraph. Null for any
 * other paragraph.
 */
function headedParagraph(paragraph: Element): string[] | null {
  const nodes = paragraph.childNodes.filter(
    (node) => !(node.nodeName === '#text' && 'value' in node && node.value.trim() === ''),
  );
  const breakAt = nodes.findIndex((node) => isElement(node) && node.tagName === 'br');
  const [first] = nodes;
  if (breakAt < 1 || !first || !isElement(first) || !strongTags.has(first.tagName)) return null;
  // The name line's runs, a space between a bold name and the signature set right against it.
  const head = nodes
    .slice(0, breakAt)
    .map((node) => inlineText([node]).trim())
    .filter((text) => text !== '')
    .join(' ');
  const rest = inlineText(nodes.slice(breakAt + 1)).trim();
  if (head === '' || head.length > 100 || head.includes('*') || rest === '') return null;
  return [`**${head}**`, rest];
}

function isOnlyStrong(nodes: readonly Node[]): boolean {
  let hasStrong = false;
  for (const node of nodes) {
    if (isElement(node) && strongTags.has(node.tagName)) {
      hasStrong ||= inlineText(node.childNodes) !== '';
      continue;
    }
    if (isElement(node) && node.tagName === 'br') continue;
    if (inlineText([node]) !== '') return false;
  }
  return hasStrong;
}

/** Text with whitespace collapsed, inline code in backticks, permalinks (`#`, `¶`) dropped. */
function inlineText(nodes: readonly Node[]): string {
  let text = '';
  const walk = (node: Node, isCode: boolean) => {
    if (node.nodeName === '#text' && 'value' in node) {
      // Line breaks in the source are spaces; only `<br>` breaks a line.
      text += node.value.replace(/\s+/g, ' ');
      return;
    }
    if (!isElement(node) || droppedTags.has(node.tagName)) return;
    if (isHidden(node)) return;
    if (node.tagName === 'br') {
      text += '\n';
      return;
    }
    if (node.tagName === 'a' && /^[\s#¶§🔗]*$/u.test(textContent(node))) return;
    if (codeTags.has(node.tagName) && !isCode) {
      const code = textContent(node).replace(/\s+/g, ' ').trim();
      if (code === '') return;
      const fence = code.includes('`') ? '``' : '`';
      text += `${fence}${code.startsWith('`') ? ' ' : ''}${code}${code.endsWith('`') ? ' ' : ''}${fence}`;
      return;
    }
    for (const child of node.childNodes) walk(child, isCode || codeTags.has(node.tagName));
  };
  for (const node of nodes) walk(node, false);
  return text
    .replace(/[ \u00a0]*\n[ \u00a0\n]*/g, '\n')
    .replace(/[ \u00a0]+/g, ' ')
    .trim();
}

function textContent(node: Node): string {
  if (node.nodeName === '#text' && 'value' in node) return node.value;
  if (isElement(node) && droppedTags.has(node.tagName)) return '';
  // A code block's lines may be broken by `<br>` rather than newlines (mammoth's reading of a
  // Word "Source Code" paragraph, as pandoc writes one).
  if (isElement(node) && node.tagName === 'br') return '\n';
  return childrenOf(node).map(textContent).join('');
}

/**
 * A `pre` as fenced code. One whose `code` elements each carry a class of their own holds the same
 * example in several flavours, the page showing one at a time (Node.js's API pages give each
 * example as `language-js cjs` and `language-js mjs`, a checkbox choosing): each flavour ends its
 * line and a blank line parts them, so none runs into the next (`});import { fork }`) and each can
 * be copied whole. A Word code block's lines, one unclassed `code` each (mammoth), read as before.
 */
function fencedCode(element: Element): string {
  const codes = element.childNodes.filter(
    (child): child is Element => isElement(child) && child.tagName === 'code',
  );
  const [code] = codes;
  const classes = `${attribute(element, 'class') ?? ''} ${code ? (attribute(code, 'class') ?? '') : ''}`;
  const language = /(?:^|\s)(?:language|lang)-([\w+#.-]+)/.exec(classes)?.[1] ?? '';
  const trimmed = (node: Element) => textContent(node).replace(/^\n/, '').replace(/\s+$/, '');
  const flavours = new Set(codes.map((item) => attribute(item, 'class') ?? ''));
  const isFlavours = codes.length > 1 && flavours.size === codes.length && !flavours.has('');
  const body = isFlavours ? codes.map(trimmed).join('\n\n') : trimmed(element);
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${body}\n${fence}`;
}

/**
 * A list whose items are links and little else: a table of contents, a menu, a list of related
 * pages. Navigation, not content. A definition list's terms and definitions are its items.
 */
function isLinkList(list: Element): boolean {
  const itemTags = list.tagName === 'dl' ? ['dt', 'dd'] : ['li'];
  const items = list.childNodes.filter(
    (child): child is Element => isElement(child) && itemTags.includes(child.tagName),
  );
  if (items.length < 2) return false;
  const text = linkedText(items);
  const everyItemLinks = items.every((item) => hasLink(item));
  return everyItemLinks && text.total > 0 && text.linked / text.total >= linkedShare;
}

/** Share of its text a list, menu or table of links has in its links. */
const linkedShare = 0.85;

/** The characters (spaces aside) of some nodes' text, those inside links, and the links (with an address). */
function linkedText(nodes: readonly Node[]): { linked: number; total: number; links: number } {
  const text = { linked: 0, total: 0, links: 0 };
  const count = (node: Node, isLink: boolean) => {
    if (node.nodeName === '#text' && 'value' in node) {
      const length = node.value.replace(/\s/g, '').length;
      text.total += length;
      if (isLink) text.linked += length;
      return;
    }
    if (isElement(node) && droppedTags.has(node.tagName)) return;
    const isAnchor = isElement(node) && node.tagName === 'a';
    if (isAnchor && attribute(node, 'href') !== undefined) text.links += 1;
    for (const child of childrenOf(node)) count(child, isLink || isAnchor);
  };
  for (const node of nodes) count(node, false);
  return text;
}

const hasLink = (node: Node): boolean =>
  (isElement(node) && node.tagName === 'a' && attribute(node, 'href') !== undefined) ||
  childrenOf(node).some(hasLink);

function listOf(list: Element, context: Context): string[] {
  const lines: string[] = [];
  const indent = '  '.repeat(context.listDepth);
  let number = Number(attribute(list, 'start') ?? '1') || 1;
  for (const item of list.childNodes) {
    if (!isElement(item)) continue;
    if (item.tagName === 'ul' || item.tagName === 'ol') {
      lines.push(...listOf(item, { ...context, listDepth: context.listDepth + 1 }));
      continue;
    }
    if (item.tagName !== 'li') continue;
    const marker = list.tagName === 'ol' ? `${number++}.` : '-';
    const nested: Element[] = [];
    const own: Node[] = [];
    for (const child of item.childNodes) {
      if (isElement(child) && (child.tagName === 'ul' || child.tagName === 'ol')) nested.push(child);
      else own.push(child);
    }
    // An item's paragraphs read as its one line; an example in it stays an example, after that
    // line (a step's commands, one a line: "1. Remove pulseaudio … alsa:" then its `sudo apt …`).
    const words: string[] = [];
    const examples: string[] = [];
    for (const block of blocksOfNodes(own, context).blocks) {
      if (fencedBlock.test(block)) examples.push(block);
      else if (examples.length === 0) words.push(block.replace(/\n+/g, ' '));
      else examples.push(block);
    }
    const text = words.join(' ');
    if (text !== '') lines.push(`${indent}${marker} ${text}`);
    for (const example of examples) lines.push('', example, '');
    for (const child of nested)
      lines.push(...listOf(child, { ...context, listDepth: context.listDepth + 1 }));
  }
  return lines;
}

const fencedBlock = /^(`{3,})[^\n]*\n[\s\S]*\n\1$/;

const isTitleBlock = (block: string) => /^(#{1,6} |\*\*[^\n]*\*\*$)/.test(block);

/**
 * A table of links (a menu, "Related links"): every cell with text is links and little else, but
 * for one short title, with two links at least.
 */
function isLinkTable(table: Element): boolean {
  let links = 0;
  let titles = 0;
  for (const cell of ownCells(table)) {
    if (cell.childNodes.some((child) => isElement(child) && child.tagName === 'table')) return false;
    const text = linkedText([cell]);
    links += text.links;
    if (text.total === 0 || text.linked / text.total >= linkedShare) continue;
    const isTitle = textContent(cell).trim().split(/\s+/).length <= maxTitleWords;
    if (!isTitle || ++titles > 1) return false;
  }
  return links >= 2;
}
const maxTitleWords = 4;

/**
 * The term cells of a table that lists definitions (DocBook's "horizontal" lists: ninja's `-t`
 * tools, each a row of its name and what it does): two cells a row, two rows or more, every first
 * cell one short line. None for any other table.
 */
function definitionTerms(table: Element, blocksIn: (cell: Element) => readonly string[]): Set<Element> {
  const rows = ownRows(table);
  const firsts = rows.map((cells) => (cells.length === 2 ? cells[0] : undefined));
  const isTerm = (cell: Element | undefined) => {
    if (!cell) return false;
    const blocks = blocksIn(cell);
    const [only] = blocks;
    return blocks.length === 1 && only !== undefined && only.length <= 60 && !/\n|^(#|\*\*|```)/.test(only);
  };
  if (rows.length < 2 || !firsts.every(isTerm)) return new Set();
  return new Set(firsts.filter((cell): cell is Element => cell !== undefined));
}

/** A table's own rows (not those of a table nested in a cell), each as its cells. */
function ownRows(table: Element): Element[][] {
  const rows: Element[][] = [];
  const collect = (node: Node) => {
    for (const child of childrenOf(node)) {
      if (!isElement(child) || child.tagName === 'table') continue;
      if (child.tagName === 'tr')
        rows.push(
          child.childNodes.filter(
            (cell): cell is Element => isElement(cell) && (cell.tagName === 'td' || cell.tagName === 'th'),
          ),
        );
      else collect(child);
    }
  };
  collect(table);
  return rows;
}

/** The cells of a table's own rows (not those of a table nested in a cell), in reading order. */
function ownCells(table: Element): Element[] {
  return ownRows(table).flat();
}

const sectionTags = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table']);
const cellBlockTags = new Set(['p', 'ul', 'ol', 'dl', 'pre', 'div', 'blockquote', 'form', 'center']);

/**
 * Whether a table lays out a page rather than holding data: a cell holds a heading or another
 * table, or two blocks or more (a data table's cell holds a value, at most one paragraph of it),
 * or it has one cell only.
 */
function isLayoutTable(table: Element): boolean {
  const cells = ownCells(table);
  // A box of one cell (DocBook's shaded listing: a `PRE` in a one-cell `TABLE`) frames its content.
  if (cells.length === 1) return true;
  return cells.some((cell) => {
    let blocks = 0;
    const visit = (node: Node): boolean => {
      for (const child of childrenOf(node)) {
        if (!isElement(child)) continue;
        if (sectionTags.has(child.tagName)) return true;
        if (cellBlockTags.has(child.tagName)) blocks += 1;
        if (blocks >= 2 || visit(child)) return true;
      }
      return false;
    };
    return visit(cell);
  });
}

/** A Markdown table: the first row (the header cells, where there are any) on top. */
function tableOf(table: Element): string {
  const rows = ownRows(table).map((cells) =>
    cells.map((cell) => inlineText(cell.childNodes).replace(/\n+/g, ' ').replace(/\|/g, '\\|')),
  );
  const width = Math.max(0, ...rows.map((row) => row.length));
  if (width === 0) return '';
  const line = (cells: string[]) =>
    `| ${Array.from({ length: width }, (_unused, index) => cells[index] ?? '').join(' | ')} |`;
  const [head = [], ...rest] = rows;
  return [line(head), `|${' --- |'.repeat(width)}`, ...rest.map(line)].join('\n');
}
