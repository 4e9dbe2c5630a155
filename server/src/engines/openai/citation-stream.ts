import type { FileCitationAnnotation } from '@threadline/shared';
import {
  CitationNumbering,
  codePointLength,
  codePointOffsetToUtf16,
  fileCitation,
  type CitedPiece,
  type ResponsesFileCitation,
} from './citation-markers.js';

/**
 * Streaming twin of `insertCitationMarkers`. Assistants deltas only append, so a marker is
 * placed at its index when the text reaches it; a citation that arrives after its index has
 * streamed goes at the current end. While citations arrive on time (OpenAI sends each right
 * after the text it cites) the result equals `insertCitationMarkers` over the whole text.
 */
export class CitationStream {
  private readonly numbering = new CitationNumbering();
  private readonly pending: ResponsesFileCitation[] = [];
  private streamedCodePoints = 0;
  private output = '';
  private readonly collected: FileCitationAnnotation[] = [];

  get text(): string {
    return this.output;
  }

  get annotations(): FileCitationAnnotation[] {
    return [...this.collected];
  }

  pushText(delta: string): CitedPiece[] {
    const pieces: CitedPiece[] = [];
    let rest = delta;
    for (;;) {
      const next = this.pending[0];
      const restLength = codePointLength(rest);
      if (!next || next.index > this.streamedCodePoints + restLength) break;
      const cut = codePointOffsetToUtf16(rest, Math.max(0, next.index - this.streamedCodePoints));
      this.appendText(rest.slice(0, cut), pieces);
      rest = rest.slice(cut);
      this.pending.shift();
      pieces.push(this.appendMarker(next));
    }
    this.appendText(rest, pieces);
    return pieces;
  }

  pushCitation(citation: ResponsesFileCitation): CitedPiece[] {
    if (citation.index <= this.streamedCodePoints) return [this.appendMarker(citation)];
    // Stable insert: later citations at the same index stay behind earlier ones.
    const position = this.pending.findIndex((waiting) => waiting.index > citation.index);
    if (position === -1) this.pending.push(citation);
    else this.pending.splice(position, 0, citation);
    return [];
  }

  /** Markers whose index lies past the end of the text go at the end. */
  finish(): CitedPiece[] {
    return this.pending.splice(0).map((citation) => this.appendMarker(citation));
  }

  /** Drops citations still waiting for text that will never come (a cancelled run). */
  discardPending(): void {
    this.pending.length = 0;
  }

  private appendText(text: string, pieces: CitedPiece[]): void {
    if (text === '') return;
    this.output += text;
    this.streamedCodePoints += codePointLength(text);
    const last = pieces.at(-1);
    if (last?.kind === 'text') last.text += text;
    else pieces.push({ kind: 'text', text });
  }

  private appendMarker(citation: ResponsesFileCitation): CitedPiece {
    const marker = this.numbering.marker(citation);
    const annotation = fileCitation(marker, this.output.length, citation.file_id);
    this.output += marker;
    this.collected.push(annotation);
    return { kind: 'marker', text: marker, annotation, ordinal: this.collected.length - 1 };
  }
}
