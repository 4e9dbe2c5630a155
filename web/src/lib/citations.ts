/** A citation as both stream annotations and stored transcripts describe it, normalised. */
export type CitationRef = {
  marker: string;
  startIndex: number | null;
  endIndex: number | null;
  fileId: string;
  fileName: string | null;
  quote: string | null;
};

/** One numbered source (a file) under an answer, with every passage the answer cites from it. */
export type CitationSource = {
  number: number;
  fileId: string;
  fileName: string | null;
  quotes: string[];
};

/**
 * One chip in the text: which source, the passage this particular marker cites, and the claim —
 * the answer's words since the previous chip — that the passage supports.
 */
export type CitationChipRef = { number: number; quote: string | null; claim: string };

export const citationHrefPrefix = '#cite-';
const markerPattern = /【[^】\n]*】/g;
const openMarkerAtEnd = /【[^】\n]*$/;

/** `【4:0†handbook.md】` → `handbook.md`; markers without a file part give null. */
export function fileNameFromMarker(marker: string): string | null {
  const match = /†([^】]+)】$/.exec(marker);
  return match?.[1]?.trim() || null;
}

type Span = { start: number; end: number; ref: CitationRef };

function locate(text: string, refs: readonly CitationRef[]): Span[] {
  const spans: Span[] = [];
  const overlaps = (start: number, end: number) => spans.some((span) => start < span.end && span.start < end);
  for (const ref of refs) {
    if (ref.marker === '') continue;
    const { startIndex, endIndex } = ref;
    if (
      startIndex !== null &&
      endIndex !== null &&
      text.slice(startIndex, endIndex) === ref.marker &&
      !overlaps(startIndex, endIndex)
    ) {
      spans.push({ start: startIndex, end: endIndex, ref });
      continue;
    }
    // Offsets can be stale (e.g. counted in another unit); the marker text itself is reliable.
    for (let at = text.indexOf(ref.marker); at !== -1; at = text.indexOf(ref.marker, at + 1)) {
      if (!overlaps(at, at + ref.marker.length)) {
        spans.push({ start: at, end: at + ref.marker.length, ref });
        break;
      }
    }
  }
  // Markers the stream has not annotated (yet) still become chips, named from the marker.
  for (const match of text.matchAll(markerPattern)) {
    const start = match.index;
    const end = start + match[0].length;
    if (overlaps(start, end)) continue;
    // A repeated marker often carries only one annotation: it cites the same source.
    const known = refs.find((ref) => ref.marker === match[0]);
    spans.push({
      start,
      end,
      ref: known ?? {
        marker: match[0],
        startIndex: start,
        endIndex: end,
        fileId: '',
        fileName: null,
        quote: null,
      },
    });
  }
  return spans.sort((left, right) => left.start - right.start);
}

// Numbered per file, as `【m:n†file】` markers are: passages of one file share its number.
const sourceKey = (ref: CitationRef) => (ref.fileId === '' ? `marker:${ref.marker}` : ref.fileId);

/**
 * Replaces citation markers with `[n](#cite-k)` links (k indexes `chips`; rendered as chips),
 * numbering sources in order of first appearance; while streaming, a half-received marker at
 * the end is hidden.
 */
export function resolveCitations(
  text: string,
  refs: readonly CitationRef[],
  options: { isStreaming?: boolean } = {},
): { markdown: string; sources: CitationSource[]; chips: CitationChipRef[] } {
  const sources: CitationSource[] = [];
  const chips: CitationChipRef[] = [];
  const numbers = new Map<string, number>();
  let markdown = '';
  let cursor = 0;
  for (const span of locate(text, refs)) {
    const key = sourceKey(span.ref);
    let number = numbers.get(key);
    if (number === undefined) {
      number = sources.length + 1;
      numbers.set(key, number);
      sources.push({
        number,
        fileId: span.ref.fileId,
        fileName: span.ref.fileName ?? fileNameFromMarker(span.ref.marker),
        quotes: [],
      });
    }
    const quote = span.ref.quote;
    const source = sources[number - 1];
    if (quote && source && !source.quotes.includes(quote)) source.quotes.push(quote);
    chips.push({ number, quote, claim: text.slice(cursor, span.start).slice(-1200) });
    markdown += `${text.slice(cursor, span.start)}[${number}](${citationHrefPrefix}${chips.length - 1})`;
    cursor = span.end;
  }
  let rest = text.slice(cursor);
  if (options.isStreaming) rest = rest.replace(openMarkerAtEnd, '');
  return { markdown: markdown + rest, sources, chips };
}

/** `#cite-3` → 3 (an index into `chips`); other links → null. */
export const chipIndexFromHref = (href: string | undefined): number | null => {
  if (!href?.startsWith(citationHrefPrefix)) return null;
  const text = href.slice(citationHrefPrefix.length);
  const index = Number(text);
  return /^\d+$/.test(text) && Number.isInteger(index) ? index : null;
};

const chipLink = new RegExp(`\\[(\\d+)\\]\\(${citationHrefPrefix}\\d+\\)`, 'g');

/**
 * An answer as the Copy button puts it on the clipboard: its Markdown with each citation marker
 * as `[n]`, then the numbered sources by file name.
 */
export function copyableAnswer(text: string, refs: readonly CitationRef[]): string {
  const { markdown, sources } = resolveCitations(text, refs);
  const body = markdown.replace(chipLink, '[$1]').trim();
  if (sources.length === 0) return body;
  const list = sources.map((source) => `[${source.number}] ${source.fileName ?? 'unknown file'}`);
  return `${body}\n\nSources:\n${list.join('\n')}`;
}
