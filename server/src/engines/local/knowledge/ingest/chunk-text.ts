import { encode } from 'gpt-tokenizer';

export type ChunkingOptions = { maxTokens: number; overlapTokens: number };

/** One chunk: its text and where it sits in the source text (character offsets). */
export type TextChunk = { text: string; start: number; end: number; tokenCount: number };

type Segment = { start: number; end: number; tokens: number };

// `<|im_start|>` and friends in user files are plain text, never special tokens.
const noSpecialTokens = { disallowedSpecial: new Set<string>() };

export const countTokens = (text: string): number => encode(text, noSpecialTokens).length;

/**
 * Splits text into chunks of at most `maxTokens` tokens, consecutive chunks sharing up to
 * `overlapTokens`. Boundaries fall on paragraph ends, else line ends, so a chunk rarely starts
 * mid-sentence; lines longer than a chunk are split on whitespace, then on characters.
 */
export function chunkText(text: string, options: ChunkingOptions, count = countTokens): TextChunk[] {
  const { maxTokens, overlapTokens } = options;
  const segments = segmentText(text, maxTokens, count);
  const chunks: TextChunk[] = [];
  let first = 0;
  while (first < segments.length) {
    let last = first;
    let tokens = 0;
    while (last < segments.length && tokens + (segments[last]?.tokens ?? 0) <= maxTokens) {
      tokens += segments[last]?.tokens ?? 0;
      last += 1;
    }
    if (last === first) last = first + 1; // a segment is never larger than maxTokens; defensive
    const start = segments[first]?.start ?? 0;
    const end = segments[last - 1]?.end ?? start;
    const chunkText = text.slice(start, end);
    if (chunkText.trim() !== '') chunks.push({ text: chunkText, start, end, tokenCount: tokens });
    if (last >= segments.length) break;
    // Back up from the end while the shared tail stays within the overlap, always moving forward.
    let next = last;
    let shared = 0;
    while (next - 1 > first && shared + (segments[next - 1]?.tokens ?? 0) <= overlapTokens) {
      shared += segments[next - 1]?.tokens ?? 0;
      next -= 1;
    }
    first = next;
  }
  return chunks;
}

function segmentText(text: string, maxTokens: number, count: (text: string) => number): Segment[] {
  const segments: Segment[] = [];
  // Paragraphs first (fewer tokenizer calls, and the best places to cut); lines inside
  // paragraphs too long for one chunk.
  for (const paragraph of text.matchAll(/[\s\S]*?(?:\n[ \t]*\n|$)/g)) {
    const block = paragraph[0];
    if (block === '') continue;
    const tokens = count(block);
    if (tokens <= maxTokens) {
      segments.push({ start: paragraph.index, end: paragraph.index + block.length, tokens });
      continue;
    }
    for (const match of block.matchAll(/[^\n]*\n|[^\n]+$/g)) {
      const start = paragraph.index + match.index;
      const line = match[0];
      const lineTokens = count(line);
      if (lineTokens <= maxTokens) segments.push({ start, end: start + line.length, tokens: lineTokens });
      else splitLong(line, start, maxTokens, count, segments);
    }
  }
  return segments;
}

function splitLong(
  line: string,
  offset: number,
  maxTokens: number,
  count: (text: string) => number,
  segments: Segment[],
): void {
  for (const match of line.matchAll(/\S+\s*|\s+/g)) {
    const word = match[0];
    const start = offset + match.index;
    const tokens = count(word);
    if (tokens <= maxTokens) {
      segments.push({ start, end: start + word.length, tokens });
      continue;
    }
    // One "word" longer than a chunk (base64, minified code): cut it by characters.
    const step = Math.max(1, Math.floor(maxTokens / 4));
    for (let index = 0; index < word.length; index += step) {
      const piece = word.slice(index, index + step);
      segments.push({ start: start + index, end: start + index + piece.length, tokens: count(piece) });
    }
  }
}
