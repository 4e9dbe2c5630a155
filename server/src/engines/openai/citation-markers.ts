import type { FileCitationAnnotation } from '@threadline/shared';

/** A Responses `file_citation`: it points at a position in the text and carries no marker. */
export type ResponsesFileCitation = { file_id: string; filename: string; index: number };

/** A run of output text, or one citation marker with its Assistants annotation. */
export type CitedPiece =
  | { kind: 'text'; text: string }
  | { kind: 'marker'; text: string; annotation: FileCitationAnnotation; ordinal: number };

/**
 * Numbers citations the way Assistants markers read: `【m:n†file】`, m the cited file's place
 * among distinct files (first citation first), n how often that file was cited before.
 */
export class CitationNumbering {
  private readonly sources = new Map<string, { position: number; count: number }>();

  marker(citation: ResponsesFileCitation): string {
    let source = this.sources.get(citation.file_id);
    if (!source) {
      source = { position: this.sources.size, count: 0 };
      this.sources.set(citation.file_id, source);
    }
    const marker = `【${source.position}:${source.count}†${cleanFileName(citation.filename)}】`;
    source.count += 1;
    return marker;
  }
}

// A bracket or line break inside the file name would end the marker early or break SSE framing.
const cleanFileName = (fileName: string) => fileName.replace(/[【】\r\n]+/g, ' ').trim() || 'source';

/**
 * Responses indices come from OpenAI's Python side and count code points; JavaScript strings
 * count UTF-16 units, so an emoji before a citation would otherwise split a surrogate pair.
 */
export function codePointOffsetToUtf16(text: string, codePoints: number): number {
  let offset = 0;
  let seen = 0;
  while (offset < text.length && seen < codePoints) {
    const code = text.codePointAt(offset) ?? 0;
    offset += code > 0xffff ? 2 : 1;
    seen += 1;
  }
  return offset;
}

export const codePointLength = (text: string): number => {
  let length = 0;
  for (const _character of text) length += 1;
  return length;
};

/**
 * Inserts a marker per citation at its index and returns the text with Assistants
 * `file_citation` annotations whose start/end indices point at those markers (UTF-16, as
 * JavaScript's `slice` reads them). Citations at one index keep their order.
 */
export function insertCitationMarkers(
  text: string,
  citations: readonly ResponsesFileCitation[],
): { text: string; annotations: FileCitationAnnotation[] } {
  const numbering = new CitationNumbering();
  const ordered = citations
    .map((citation, order) => ({ citation, order }))
    .sort((left, right) => left.citation.index - right.citation.index || left.order - right.order);
  const annotations: FileCitationAnnotation[] = [];
  let output = '';
  let consumed = 0;
  for (const { citation } of ordered) {
    const offset = codePointOffsetToUtf16(text, Math.max(0, citation.index));
    if (offset > consumed) {
      output += text.slice(consumed, offset);
      consumed = offset;
    }
    const marker = numbering.marker(citation);
    annotations.push(fileCitation(marker, output.length, citation.file_id));
    output += marker;
  }
  output += text.slice(consumed);
  return { text: output, annotations };
}

export function fileCitation(marker: string, startIndex: number, fileId: string): FileCitationAnnotation {
  return {
    type: 'file_citation',
    text: marker,
    start_index: startIndex,
    end_index: startIndex + marker.length,
    file_citation: { file_id: fileId },
  };
}
