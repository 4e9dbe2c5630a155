/** A block of a cited passage (a paragraph, a list, a table, a code block) and whether the answer quotes it. */
export type PassageBlock = { text: string; isCited: boolean };

const wordsOf = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}_]{3,}/gu) ?? []);
const fence = /^\s*(```+|~~~+)/;

/**
 * A passage in its Markdown blocks: blank lines part them, except inside a fenced code block. A
 * passage without blank lines (plain text from another engine) is read a line a block.
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
      current.push(line);
      flush();
    } else current.push(line);
  }
  flush();
  return blocks.flatMap(listItems);
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
  const shares = blocks.map((block) => {
    const words = [...wordsOf(block)];
    return words.length === 0 || claimWords.size === 0
      ? 0
      : words.filter((word) => claimWords.has(word)).length / words.length;
  });
  // A heading's few words are in any claim about its section: the best match is among the blocks
  // that say something, and the heading is marked only with them.
  const best = Math.max(0, ...shares.filter((_share, index) => !isHeading(blocks[index] ?? '')));
  const isCited = (index: number) => best >= 0.3 && (shares[index] ?? 0) >= Math.max(0.5, best * 0.6);
  return blocks.map((text, index) => ({ text, isCited: isCited(index) }));
}
