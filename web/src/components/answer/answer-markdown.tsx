import { createContext, useContext, type ReactNode } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { chipIndexFromHref, type CitationChipRef, type CitationSource } from '../../lib/citations.js';
import { CitationChip } from './citation-chip.js';

type Citations = { sources: CitationSource[]; chips: CitationChipRef[] };
const CitationsContext = createContext<Citations>({ sources: [], chips: [] });

function MarkdownLink({ href, children }: { href?: string | undefined; children?: ReactNode }) {
  const { sources, chips } = useContext(CitationsContext);
  const index = chipIndexFromHref(href);
  const chip = index === null ? undefined : chips[index];
  const source = chip ? sources[chip.number - 1] : undefined;
  if (chip && source) return <CitationChip source={source} chip={chip} />;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {children}
    </a>
  );
}

// Module-level and stable: a components object rebuilt per render would give react-markdown a
// new element type each time, remounting every chip and closing an open popover.
const components: Components = {
  a: ({ href, children }) => <MarkdownLink href={href}>{children}</MarkdownLink>,
};
// GitHub-flavoured Markdown: tables (documents answer in them), strikethrough, task lists.
const remarkPlugins = [remarkGfm];

/**
 * Model output as markdown, never as HTML: react-markdown drops raw HTML (`skipHtml`) and
 * sanitises link URLs; citation links (`#cite-k`) become chips; tables render as tables.
 */
export function AnswerMarkdown({ markdown, sources, chips }: { markdown: string } & Citations) {
  return (
    <CitationsContext.Provider value={{ sources, chips }}>
      <div className="markdown">
        <Markdown skipHtml components={components} remarkPlugins={remarkPlugins}>
          {markdown}
        </Markdown>
      </div>
    </CitationsContext.Provider>
  );
}
