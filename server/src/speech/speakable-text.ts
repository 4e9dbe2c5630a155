/**
 * An answer as it should be heard: the words, without what only makes sense on screen. Citation
 * markers (`【4:0†source】`, `[1]`, `[^2]`) and code blocks are not read out as symbols; a code
 * block becomes a short spoken note, links their text, Markdown marks nothing.
 */
export function speakableText(markdown: string): string {
  return (
    markdown
      .replace(/```[^\n]*\n[\s\S]*?(```|$)/g, ' (code block shown on screen) ')
      .replace(/【[^】]*】/g, '')
      .replace(/\[\^?\d+(?:[,\s]+\d+)*\]/g, '')
      .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/\[([^\]]+)\]\([^)]*\)/g, '$1')
      .replace(/https?:\/\/\S+/g, 'a link')
      .replace(/`([^`]*)`/g, '$1')
      .replace(/^\s{0,3}#{1,6}\s+/gm, '')
      .replace(/^\s{0,3}>\s?/gm, '')
      .replace(/^\s*(?:[-*+]|\d+[.)])\s+/gm, '')
      .replace(/^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$/gm, '')
      .replace(/\|/g, ', ')
      .replace(/(\*\*|\*|~~)(\S(?:.*?\S)?)\1/g, '$2')
      // Underscores mark emphasis only around words, never inside an identifier.
      .replace(/(?<!\w)(__|_)(\S(?:.*?\S)?)\1(?!\w)/g, '$2')
      // Sentence ends stay, so the voice pauses where a reader would.
      .replace(/[ \t]*\n+[ \t]*/g, (breaks) => (breaks.includes('\n\n') ? '. ' : ' '))
      .replace(/\s*,\s*(,\s*)+/g, ', ')
      .replace(/([.:!?;,])\s*\./g, '$1')
      .replace(/\s+([.,;:!?])/g, '$1')
      .replace(/\s{2,}/g, ' ')
      .replace(/^[\s,.]+/, '')
      .trim()
  );
}
