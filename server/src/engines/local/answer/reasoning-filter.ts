export type ReasoningPiece = { type: 'answer' | 'reasoning'; text: string };

const open = '<think>';
const close = '</think>';

/** How much of the end of `text` could be the start of `tag`, completed by the next delta. */
function partialTagAtEnd(text: string, tag: string): number {
  for (let length = Math.min(tag.length - 1, text.length); length > 0; length -= 1) {
    if (tag.startsWith(text.slice(-length))) return length;
  }
  return 0;
}

/**
 * Separates a reasoning model's thinking from its answer in streamed `content`: Qwen3, DeepSeek-R1
 * and others served without a reasoning parser write `<think>…</think>` into the text, and a tag
 * may be split across deltas, so a possible tag start at the end of a delta waits for the next.
 * A `</think>` with no opening tag is dropped (text before it has already been shown); servers
 * that parse reasoning send it apart (`reasoning_content`, `reasoning`) and never reach this.
 */
export class ReasoningFilter {
  private isThinking = false;
  private pending = '';

  push(text: string): ReasoningPiece[] {
    let buffer = this.pending + text;
    this.pending = '';
    const pieces: ReasoningPiece[] = [];
    while (buffer.length > 0) {
      const opening = this.isThinking ? -1 : buffer.indexOf(open);
      const closing = buffer.indexOf(close);
      const at = [opening, closing].filter((index) => index !== -1).sort((a, b) => a - b)[0];
      if (at === undefined) {
        const partial = Math.max(partialTagAtEnd(buffer, open), partialTagAtEnd(buffer, close));
        this.emit(pieces, buffer.slice(0, buffer.length - partial));
        this.pending = buffer.slice(buffer.length - partial);
        break;
      }
      this.emit(pieces, buffer.slice(0, at));
      const isOpening = at === opening;
      this.isThinking = isOpening;
      buffer = buffer.slice(at + (isOpening ? open.length : close.length));
    }
    return pieces;
  }

  end(): ReasoningPiece[] {
    const pieces: ReasoningPiece[] = [];
    this.emit(pieces, this.pending);
    this.pending = '';
    return pieces;
  }

  private emit(pieces: ReasoningPiece[], text: string): void {
    if (text !== '') pieces.push({ type: this.isThinking ? 'reasoning' : 'answer', text });
  }
}
