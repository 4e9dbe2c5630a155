import type { CitationSource } from '../../lib/citations.js';
import { useFileName } from '../../lib/file-names.js';
import { PassageMarkdown } from './passage-markdown.js';

function SourceItem({ source }: { source: CitationSource }) {
  const fileName = useFileName(source.fileId, source.fileName, true);
  return (
    <li>
      <span className="source-number">{source.number}</span>
      <span className="source-file">{fileName ?? 'Unknown file'}</span>
      {source.quotes.map((quote) => (
        <PassageMarkdown key={quote} passage={quote} claim="" className="source-quote" />
      ))}
    </li>
  );
}

export function SourcesList({ sources }: { sources: CitationSource[] }) {
  if (sources.length === 0) return null;
  return (
    <details className="sources" open>
      <summary>
        {sources.length} {sources.length === 1 ? 'source' : 'sources'}
      </summary>
      <ol>
        {sources.map((source) => (
          <SourceItem key={source.number} source={source} />
        ))}
      </ol>
    </details>
  );
}
