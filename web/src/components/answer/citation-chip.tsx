import { useCallback, useId, useLayoutEffect, useRef, useState, type CSSProperties } from 'react';
import { createPortal } from 'react-dom';
import { endpoints } from '../../config/api.js';
import type { CitationChipRef, CitationSource } from '../../lib/citations.js';
import { useFileName } from '../../lib/file-names.js';
import { usePdfPage } from '../../lib/pdf-page.js';
import { placePopover } from '../../lib/popover-place.js';
import { useDismiss } from '../../lib/use-dismiss.js';
import { PassageMarkdown } from './passage-markdown.js';

/** Below this width the popover is a sheet along the bottom of the screen (app.css). */
const sheetQuery = '(max-width: 760px)';

/**
 * A numbered chip in the answer; opening it shows the cited passage (the part the answer relies
 * on marked, the whole section a click away), the file's name linking to the file, and for a PDF
 * the page. The popover lives in a portal, placed in the window: under the chip, or over it when
 * the composer is close, never past the window's edges or under the composer.
 */
export function CitationChip({ source, chip }: { source: CitationSource; chip: CitationChipRef }) {
  const [isOpen, setIsOpen] = useState(false);
  const closePanel = useCallback(() => setIsOpen(false), []);
  // Hidden until placed, so it never shows for a frame where it does not belong.
  const [placement, setPlacement] = useState<CSSProperties | null>(null);
  const popoverId = useId();
  const wrapper = useRef<HTMLSpanElement>(null);
  const popover = useRef<HTMLDivElement>(null);
  const fileName = useFileName(source.fileId, source.fileName, isOpen);
  const page = usePdfPage(source.fileId, fileName, chip.quote, isOpen);

  useDismiss(isOpen, wrapper, closePanel, popover);

  useLayoutEffect(() => {
    if (!isOpen) return;
    const place = () => {
      const anchor = wrapper.current?.getBoundingClientRect();
      const panel = popover.current;
      if (!anchor || !panel) return;
      if (typeof window.matchMedia === 'function' && window.matchMedia(sheetQuery).matches)
        return setPlacement({});
      const composer = document.querySelector('.composer-bar')?.getBoundingClientRect();
      const { left, top, maxHeight } = placePopover(
        anchor,
        { width: panel.offsetWidth, height: panel.scrollHeight },
        { width: document.documentElement.clientWidth, height: window.innerHeight },
        composer && composer.top > anchor.bottom ? composer.top : window.innerHeight,
      );
      setPlacement({ left, top, maxHeight });
    };
    place();
    window.addEventListener('resize', place);
    window.addEventListener('scroll', place, true);
    return () => {
      window.removeEventListener('resize', place);
      window.removeEventListener('scroll', place, true);
    };
  }, [isOpen, chip.quote, page, fileName]);

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
          setPlacement(null);
          setIsOpen((open) => !open);
        }}
      >
        {source.number}
      </button>
      {isOpen &&
        createPortal(
          <div
            className="citation-popover"
            id={popoverId}
            ref={popover}
            role="dialog"
            aria-label={`Source ${source.number}`}
            style={placement ?? { visibility: 'hidden' }}
          >
            <div className="citation-head">
              {href ? (
                <a className="citation-file" href={href} target="_blank" rel="noopener noreferrer">
                  {fileName ?? 'Unknown file'}
                </a>
              ) : (
                <span className="citation-file">{fileName ?? 'Unknown file'}</span>
              )}
              {page !== null && <span className="citation-page">page {page}</span>}
            </div>
            {chip.quote ? (
              <PassageMarkdown
                passage={chip.quote}
                claim={chip.claim}
                className="citation-quote"
                showsPartFirst
              />
            ) : (
              <p className="citation-quote muted">The server did not send the cited passage.</p>
            )}
            {href && (
              <a className="citation-open" href={href} target="_blank" rel="noopener noreferrer">
                Open the file{page === null ? '' : ` at page ${page}`} ↗
              </a>
            )}
          </div>,
          document.body,
        )}
    </span>
  );
}
