import { useCallback, useId, useLayoutEffect, useRef, useState } from 'react';
import { endpoints } from '../../config/api.js';
import type { CitationChipRef, CitationSource } from '../../lib/citations.js';
import { useFileName } from '../../lib/file-names.js';
import { usePdfPage } from '../../lib/pdf-page.js';
import { CitedPassage } from './cited-passage.js';
import { useDismiss } from '../../lib/use-dismiss.js';

const edgeMargin = 8;

/**
 * A numbered chip in the answer; opening it shows the cited passage (the part the answer relies
 * on highlighted), the file's name linking to the file, and for a PDF the page.
 */
export function CitationChip({ source, chip }: { source: CitationSource; chip: CitationChipRef }) {
  const [isOpen, setIsOpen] = useState(false);
  const closePanel = useCallback(() => setIsOpen(false), []);
  const [shift, setShift] = useState(0);
  const popoverId = useId();
  const wrapper = useRef<HTMLSpanElement>(null);
  const popover = useRef<HTMLSpanElement>(null);
  const fileName = useFileName(source.fileId, source.fileName, isOpen);
  const page = usePdfPage(source.fileId, fileName, chip.quote, isOpen);

  useDismiss(isOpen, wrapper, closePanel);

  // Centred under the chip, but never past the window's edges (a chip near the left margin).
  useLayoutEffect(() => {
    if (!isOpen || !popover.current) return setShift(0);
    const box = popover.current.getBoundingClientRect();
    const width = document.documentElement.clientWidth;
    if (box.left < edgeMargin) setShift((current) => current + edgeMargin - box.left);
    else if (box.right > width - edgeMargin)
      setShift((current) => current - (box.right - width + edgeMargin));
  }, [isOpen]);

  const href =
    source.fileId === ''
      ? null
      : `${endpoints().knowledgeFileContent(source.fileId)}${page === null ? '' : `#page=${page}`}`;
  return (
    <span className="citation" ref={wrapper}>
      <button
        type="button"
        className="citation-chip"
        aria-expanded={isOpen}
        aria-controls={popoverId}
        aria-label={`Source ${source.number}${fileName ? `: ${fileName}` : ''}`}
        onClick={() => {
          setShift(0);
          setIsOpen((open) => !open);
        }}
      >
        {source.number}
      </button>
      {isOpen && (
        <span
          className="citation-popover"
          id={popoverId}
          ref={popover}
          role="dialog"
          aria-label={`Source ${source.number}`}
          style={shift === 0 ? undefined : { marginLeft: `${shift}px` }}
        >
          <span className="citation-head">
            {href ? (
              <a className="citation-file" href={href} target="_blank" rel="noopener noreferrer">
                {fileName ?? 'Unknown file'}
              </a>
            ) : (
              <span className="citation-file">{fileName ?? 'Unknown file'}</span>
            )}
            {page !== null && <span className="citation-page">page {page}</span>}
          </span>
          {chip.quote ? (
            <CitedPassage passage={chip.quote} claim={chip.claim} />
          ) : (
            <span className="citation-quote muted">The server did not send the cited passage.</span>
          )}
          {href && (
            <a className="citation-open" href={href} target="_blank" rel="noopener noreferrer">
              Open the file{page === null ? '' : ` at page ${page}`} ↗
            </a>
          )}
        </span>
      )}
    </span>
  );
}
