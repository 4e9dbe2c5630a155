export type CitationStreamPiece = { type: 'text'; text: string } | { type: 'source'; number: number };

const complete = /^\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/;
const couldComplete = /^\[[\d,\s]{0,24}$/;

/**
 * Finds a model's `[n]` / `[1, 2]` citations in streamed text, even when a citation is split
 * across tokens: text that might still become a citation is held back until it can't.
 */
export class CitationStreamParser {
  private pending = '';

  push(text: string): CitationStreamPiece[] {
    let buffer = this.pending + text;
    this.pending = '';
    const pieces: CitationStreamPiece[] = [];
    let plain = '';
    while (buffer.length > 0) {
      const open = buffer.indexOf('[');
      if (open === -1) {
        plain += buffer;
        break;
      }
      plain += buffer.slice(0, open);
      buffer = buffer.slice(open);
      const match = complete.exec(buffer);
      if (match) {
        if (plain) pieces.push({ type: 'text', text: plain });
        plain = '';
        for (const number of (match[1] ?? '').split(','))
          pieces.push({ type: 'source', number: Number(number.trim()) });
        buffer = buffer.slice(match[0].length);
      } else if (couldComplete.test(buffer)) {
        this.pending = buffer;
        break;
      } else {
        plain += '[';
        buffer = buffer.slice(1);
      }
    }
    if (plain) pieces.push({ type: 'text', text: plain });
    return pieces;
  }

  end(): CitationStreamPiece[] {
    const rest = this.pending;
    this.pending = '';
    return rest ? [{ type: 'text', text: rest }] : [];
  }
}
