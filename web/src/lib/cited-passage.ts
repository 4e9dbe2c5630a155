/**
 * A block of a cited passage (a paragraph, a list item, a table, a code block) and whether the
 * answer quotes it; a table says which of its body rows the answer quotes, so those rows are
 * marked (and shown alone before the whole section) rather than the whole table or none of it.
 */
export type PassageBlock = { text: string; isCited: boolean; citedRows?: boolean[] };

const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{3,}/gu) ?? []);
const fence = /^\s*(```+|~~~+)/;
const tableRow = /^\s*\|/;
const tableDelimiter = /^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/;

/**
 * A passage in its Markdown blocks: blank lines part them, except inside a fenced code block. A
 * passage without blank lines (plain text from another engine, or a chunk that opens inside a
 * table) is read a line a block, a table's rows kept together. A table always has its header: a
 * chunk that opens below it gets an empty one, so it still renders as a table.
 */
export function passageBlocks(passage: string): string[] {
  const lines = passage.replace(/\r\n?/g, '\n').trim().split('\n');
  const hasBlankLines = lines.some((line) => line.trim() === '');
  const blocks: string[] = [];
  let current: string[] = [];
  let openFence: string | null = null;
  const flush = () => {
    if (current.some((line) => line.trim() !== '')) blocks.push(current.join('\n'));
    current = [];
  };
  for (const line of lines) {
    const marker = fence.exec(line)?.[1];
    if (openFence !== null) {
      current.push(line);
      if (marker && marker[0] === openFence[0] && marker.length >= openFence.length) {
        openFence = null;
        flush();
      }
      continue;
    }
    if (marker) {
      flush();
      openFence = marker;
      current.push(line);
      continue;
    }
    if (line.trim() === '') flush();
    else if (!hasBlankLines) {
      const isRow = tableRow.test(line);
      if (!isRow || !tableRow.test(current.at(-1) ?? '')) flush();
      current.push(line);
      if (!isRow) flush();
    } else current.push(line);
  }
  flush();
  return blocks.flatMap(listItems).map(withTableHeader);
}

const isTable = (block: string) => block.split('\n').every((line) => tableRow.test(line));
const cellCount = (row: string) =>
  row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '')
    .split(/(?<!\\)\|/).length;

/** A table's header lines (its names and delimiter row) and its body rows. */
function tableParts(block: string): { header: string[]; rows: string[] } {
  const lines = block.split('\n');
  return tableDelimiter.test(lines[1] ?? '')
    ? { header: lines.slice(0, 2), rows: lines.slice(2) }
    : { header: [], rows: lines };
}

function withTableHeader(block: string): string {
  if (!isTable(block)) return block;
  const { header, rows } = tableParts(block);
  if (header.length > 0) return block;
  const columns = cellCount(rows[0] ?? '|');
  return [`|${' |'.repeat(columns)}`, `|${' --- |'.repeat(columns)}`, ...rows].join('\n');
}

/** A table block with only its header and the given body rows (the quoted rows, shown first). */
export function tableWithRows(block: string, keep: readonly boolean[]): string {
  const { header, rows } = tableParts(block);
  return [...header, ...rows.filter((_row, index) => keep[index])].join('\n');
}

const listItem = /^( {0,3})(?:[-*+]|\d{1,9}[.)])\s/;

/**
 * A list's items, each its own block (an ordered item keeps its number, so it renders as that
 * item): an answer quotes the item that answers, which a whole long list would bury.
 */
function listItems(block: string): string[] {
  const lines = block.split('\n');
  const first = listItem.exec(lines[0] ?? '');
  if (!first || fence.test(lines[0] ?? '')) return [block];
  const indent = first[1]?.length ?? 0;
  const items: string[][] = [];
  for (const line of lines) {
    const marker = listItem.exec(line);
    if (marker && (marker[1]?.length ?? 0) === indent) items.push([line]);
    else items.at(-1)?.push(line);
  }
  return items.map((item) => item.join('\n'));
}

/** A heading alone (`# …` or a line that is all bold): it names the section, it says nothing. */
const isHeading = (block: string) => /^(#{1,6}\s.*|\*\*[^\n]*\*\*:?)$/.test(block.trim());

/**
 * The passage's blocks, with those the answer's `claim` (its words before the citation) quotes
 * marked: the blocks whose words the claim mostly shares. Nothing is marked when no block is
 * close; everything when the claim quotes the whole passage.
 */
export function citedBlocks(passage: string, claim: string): PassageBlock[] {
  const blocks = passageBlocks(passage);
  const claimWords = wordsOf(claim);
  const shareOf = (text: string) => {
    const words = [...wordsOf(text)];
    return words.length === 0 || claimWords.size === 0
      ? 0
      : words.filter((word) => claimWords.has(word)).length / words.length;
  };
  // A table is judged row by row: a claim quotes the row that answers, not the whole table.
  const rowShares = blocks.map((block) => (isTable(block) ? tableParts(block).rows.map(shareOf) : null));
  const shares = blocks.map((block, index) => {
    const rows = rowShares[index];
    return rows ? Math.max(0, ...rows) : shareOf(block);
  });
  // A heading's few words are in any claim about its section: the best match is among the blocks
  // that say something, and the heading is marked only with them.
  const best = Math.max(0, ...shares.filter((_share, index) => !isHeading(blocks[index] ?? '')));
  const isClose = (share: number) => best >= 0.3 && share >= Math.max(0.5, best * 0.6);
  return blocks.map((text, index) => {
    const rows = rowShares[index];
    if (!rows) return { text, isCited: isClose(shares[index] ?? 0) };
    const citedRows = rows.map(isClose);
    return { text, isCited: citedRows.some(Boolean), citedRows };
  });
}
