import { chunkText, type ChunkingOptions } from './chunk-text.js';
import { documentLead, documentTitle, findHeadings, headingsFor } from './document-outline.js';
import { searchTerms } from '../search/search-terms.js';

/** A chunk ready to index: the text shown to users plus the analysed fields the index sees. */
export type PreparedChunk = {
  text: string;
  /** Title, section path and text: what the embedding sees. */
  embeddingText: string;
  /** Title and section path alone, which the in-process model repeats before each window. */
  embeddingContext: string;
  /** The document's title and lead (what it is about), the same for all of its chunks. */
  documentSummary: string;
  /** Where the chunk sits in the parsed document (character offsets). */
  start: number;
  end: number;
  index: { title: string; headings: string; body: string };
};

/**
 * Chunks a parsed document and gives every chunk its document title and section path, so a
 * passage deep in a manual page still matches a question naming the command it documents.
 */
export function prepareChunks(fileName: string, text: string, options: ChunkingOptions): PreparedChunk[] {
  const headings = findHeadings(text);
  const title = documentTitle(headings, fileName);
  const lead = documentLead(text, headings);
  return chunkText(text, options).map((chunk) => {
    const sectionPath = headingsFor(headings, chunk.start, chunk.end);
    return {
      text: chunk.text,
      embeddingText: `${title}: ${lead}\n${sectionPath.join(' / ')}\n${chunk.text}`,
      embeddingContext: [title, ...sectionPath].join(' / '),
      documentSummary: `${title}: ${lead}`,
      start: chunk.start,
      end: chunk.end,
      index: {
        title: analyse(`${title} ${fileName} ${lead}`),
        headings: analyse(sectionPath.join(' \n ')),
        body: analyse(chunk.text),
      },
    };
  });
}

/** The indexed form of a text (what the keyword index sees of a title, section path or body). */
export const analyseForIndex = (text: string) => searchTerms(text, { keepStopWords: true }).join(' ');
const analyse = analyseForIndex;
