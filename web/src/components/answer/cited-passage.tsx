import { citedPassage } from '../../lib/cited-passage.js';

/** A cited passage as text (inline code as code, no Markdown marks) with the cited part marked. */
export function CitedPassage({
  passage,
  claim,
  className = 'citation-quote',
}: {
  passage: string;
  claim: string;
  className?: string;
}) {
  return (
    <span className={className}>
      {citedPassage(passage, claim).map((segment, index) => {
        const text = segment.isCode ? <code>{segment.text}</code> : segment.text;
        return segment.isCited ? <mark key={index}>{text}</mark> : <span key={index}>{text}</span>;
      })}
    </span>
  );
}
