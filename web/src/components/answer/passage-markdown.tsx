import { useState } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { citedBlocks, tableWithRows, type PassageBlock } from '../../lib/cited-passage.js';

// Module-level and stable, as in AnswerMarkdown.
const remarkPlugins = [remarkGfm];

/** A table's body rows marked as the block says: a row's line in the block is its header's two plus its place. */
const markingRows = (citedRows: readonly boolean[]): Components => ({
  tr: ({ node, ...props }) => {
    const line = node?.position?.start.line ?? 0;
    return <tr {...props} className={citedRows[line - 3] ? 'cited' : undefined} />;
  },
});

function BlockMarkdown({ block, isPartOnly }: { block: PassageBlock; isPartOnly: boolean }) {
  const { citedRows } = block;
  // Before the whole section is asked for, a table shows its header and the rows quoted.
  const text = citedRows && isPartOnly ? tableWithRows(block.text, citedRows) : block.text;
  const marked = citedRows && isPartOnly ? citedRows.filter(Boolean) : citedRows;
  return (
    <Markdown skipHtml remarkPlugins={remarkPlugins} components={marked && markingRows(marked)}>
      {text}
    </Markdown>
  );
}

/**
 * A cited passage rendered as the Markdown it is (bold, lists, tables, code), never as raw
 * markers, with the blocks the answer quotes marked. With `showsPartFirst`, only those blocks
 * show until the reader asks for the whole section.
 */
export function PassageMarkdown({
  passage,
  claim,
  className,
  showsPartFirst = false,
}: {
  passage: string;
  claim: string;
  className: string;
  showsPartFirst?: boolean;
}) {
  const [isWhole, setIsWhole] = useState(false);
  const blocks = citedBlocks(passage, claim);
  const hasCited = blocks.some((block) => block.isCited);
  const isPartOnly = showsPartFirst && hasCited && !isWhole;
  const shown = isPartOnly ? blocks.filter((block) => block.isCited) : blocks;
  // Something is held back: a block not quoted, or a quoted table's other rows.
  const isHolding =
    isPartOnly && (shown.length < blocks.length || shown.some((block) => block.citedRows?.includes(false)));
  return (
    <div className={className}>
      {shown.map((block, index) => (
        // A table marks its quoted rows, not its whole block.
        <div
          key={index}
          className={block.isCited && !block.citedRows ? 'passage-block cited' : 'passage-block'}
        >
          <BlockMarkdown block={block} isPartOnly={isPartOnly} />
        </div>
      ))}
      {isHolding && (
        <button type="button" className="link-button" onClick={() => setIsWhole(true)}>
          Show the whole section
        </button>
      )}
    </div>
  );
}
