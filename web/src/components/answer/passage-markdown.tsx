import { useState } from 'react';
import Markdown from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { citedBlocks } from '../../lib/cited-passage.js';

// Module-level and stable, as in AnswerMarkdown.
const remarkPlugins = [remarkGfm];

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
  const shown = showsPartFirst && hasCited && !isWhole ? blocks.filter((block) => block.isCited) : blocks;
  return (
    <div className={className}>
      {shown.map((block, index) => (
        <div key={index} className={block.isCited ? 'passage-block cited' : 'passage-block'}>
          <Markdown skipHtml remarkPlugins={remarkPlugins}>
            {block.text}
          </Markdown>
        </div>
      ))}
      {shown.length < blocks.length && (
        <button type="button" className="link-button" onClick={() => setIsWhole(true)}>
          Show the whole section
        </button>
      )}
    </div>
  );
}
