import { tableRowText, tableSeparatorRow } from '../common/index.js';

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Cuts at the last word boundary at or before `max` characters, adding an ellipsis when it cut. */
function cutAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const slice = text.slice(0, max);
  const boundary = slice.lastIndexOf(' ');
  // A single very long word (a URL, say) is cut mid-word rather than dropped.
  const kept = boundary >= max / 2 ? slice.slice(0, boundary) : slice;
  return `${kept.replace(/[\s,.;:!?-]+$/, '')}…`;
}

export const maxTitleLength = 80;
/** Starts the title of a thread a Compare run made, so the history tells it from a conversation. */
export const compareTitlePrefix = 'Compare: ';
export const maxPreviewLength = 160;

/** A thread's default title: its first user message on one line, trimmed at a word boundary. */
export function defaultThreadTitle(firstUserMessage: string): string {
  const title = cutAtWord(collapse(firstUserMessage), maxTitleLength);
  return title === '' ? 'New conversation' : title;
}

/**
 * The last message of a thread as the history list shows it: plain words, without the answer's
 * citation markers (`【1:0†faq.md】`) or Markdown (bold, backticks, code fences, heading marks,
 * table pipes).
 */
export function messagePreview(text: string): string {
  return cutAtWord(collapse(plainText(text)), maxPreviewLength);
}

function plainText(markdown: string): string {
  return (
    markdown
      .replace(/【[^】]*】/g, '')
      .replace(/^\s*(```|~~~)[^\n]*$/gm, '')
      .replace(/^\s{0,3}#{1,6}\s+/gm, '')
      // A table reads as its cells: no separator row, no pipes.
      .replace(new RegExp(tableSeparatorRow.source, 'gm'), '')
      .replace(/^[ \t]*\|.*\|[ \t]*$/gm, tableRowText)
      .replace(/\*\*([^*]+)\*\*|__([^_]+)__/g, '$1$2')
      .replace(/`([^`]*)`/g, '$1')
      .replace(/\s+([.,;:!?])/g, '$1')
  );
}
