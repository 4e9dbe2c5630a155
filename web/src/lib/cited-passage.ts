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
  return blocks;
}

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
  const best = Math.max(0, ...shares);
  return blocks.map((text, index) => {
    const share = shares[index] ?? 0;
    return { text, isCited: best >= 0.3 && share >= Math.max(0.5, best * 0.6) };
  });
}
