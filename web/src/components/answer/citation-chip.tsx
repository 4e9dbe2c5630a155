import { useEffect, useId, useRef, useState } from 'react';
import type { CitationSource } from '../../lib/citations.js';
import { useFileName } from '../../lib/file-names.js';

/** A numbered chip in the answer; opening it shows the file name and the cited passage. */
export function CitationChip({ source, quote }: { source: CitationSource; quote: string | null }) {
  const [isOpen, setIsOpen] = useState(false);
  const popoverId = useId();
  const wrapper = useRef<HTMLSpanElement>(null);
  const fileName = useFileName(source.fileId, source.fileName, isOpen);

  useEffect(() => {
    if (!isOpen) return;
    const close = (event: Event) => {
      if (
        event instanceof KeyboardEvent
          ? event.key === 'Escape'
          : !wrapper.current?.contains(event.target as Node)
      ) {
        setIsOpen(false);
      }
    };
    document.addEventListener('keydown', close);
    document.addEventListener('pointerdown', close);
    return () => {
      document.removeEventListener('keydown', close);
      document.removeEventListener('pointerdown', close);
    };
  }, [isOpen]);

  return (
    <span className="citation" ref={wrapper}>
      <button
        type="button"
        className="citation-chip"
        aria-expanded={isOpen}
        aria-controls={popoverId}
        aria-label={`Source ${source.number}${fileName ? `: ${fileName}` : ''}`}
        onClick={() => setIsOpen((open) => !open)}
      >
        {source.number}
      </button>
      {isOpen && (
        <span
          className="citation-popover"
          id={popoverId}
          role="dialog"
          aria-label={`Source ${source.number}`}
        >
          <span className="citation-file">{fileName ?? 'Unknown file'}</span>
          {quote ? (
            <span className="citation-quote">{quote}</span>
          ) : (
            <span className="citation-quote muted">The server did not send the cited passage.</span>
          )}
        </span>
      )}
    </span>
  );
}
