import type { FileCitationAnnotation, MessageDelta, SearchHit } from '@threadline/shared';

type DeltaContent = MessageDelta['delta']['content'];

/** `【m:n†filename】`: m is the message index the sources belong to, n the source's index. */
export const citationMarker = (messageIndex: number, sourceIndex: number, fileName: string) =>
  `【${messageIndex}:${sourceIndex}†${fileName.replace(/[【】\r\n]/g, '')}】`;

/**
 * Accumulates an assistant message's text and file_citation annotations, and hands back each
 * addition as the delta content to stream, so the annotations' start/end indices always point
 * at their markers in the final text.
 */
export class AnswerTextBuilder {
  private text = '';
  private readonly annotations: FileCitationAnnotation[] = [];

  constructor(
    private readonly messageIndex: number,
    private readonly hits: readonly SearchHit[],
  ) {}

  get value(): string {
    return this.text;
  }

  appendText(text: string): DeltaContent {
    this.text += text;
    return [{ index: 0, type: 'text', text: { value: text } }];
  }

  /** Returns null when the source does not exist (a model citing a number it was never given). */
  appendCitation(source: number, quote: string): DeltaContent | null {
    const hit = this.hits[source];
    if (!hit) return null;
    const marker = citationMarker(this.messageIndex, source, hit.fileName);
    const start = this.text.length;
    this.text += marker;
    const annotation: FileCitationAnnotation = {
      type: 'file_citation',
      text: marker,
      start_index: start,
      end_index: start + marker.length,
      file_citation: { file_id: hit.fileId, quote },
    };
    this.annotations.push(annotation);
    return [
      {
        index: 0,
        type: 'text',
        text: { value: marker, annotations: [{ index: this.annotations.length - 1, ...annotation }] },
      },
    ];
  }

  content() {
    return [{ type: 'text' as const, text: { value: this.text, annotations: [...this.annotations] } }];
  }
}
