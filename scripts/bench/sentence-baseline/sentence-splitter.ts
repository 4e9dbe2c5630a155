const sentenceEnd = /(?<=[.!?])\s+(?=["'(`*_\p{Lu}\p{N}])/u;

/**
 * Splits a chunk into readable sentences: code fences, tables and bare headings are skipped,
 * list items and paragraphs stand alone, markdown decoration is stripped.
 */
export function splitSentences(text: string): string[] {
  const paragraphs: string[] = [];
  let current: string[] = [];
  let isInFence = false;
  const flush = () => {
    if (current.length > 0) paragraphs.push(current.join(' '));
    current = [];
  };
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (/^(```|~~~)/.test(line)) {
      isInFence = !isInFence;
      flush();
      continue;
    }
    // Blank lines, tables, rules and AsciiDoc `+` continuations end a paragraph.
    if (isInFence || line === '' || line === '+' || line.startsWith('|') || /^[-=*_.]{3,}$/.test(line)) {
      flush();
      continue;
    }
    // Headings (markdown `#`, AsciiDoc `term::` definition terms) are not sentences.
    if (/^#{1,6}\s/.test(line) || /::$/.test(line)) {
      flush();
      continue;
    }
    if (/^([-*+]|\d+[.)])\s+/.test(line)) flush();
    current.push(line.replace(/^([-*+]|\d+[.)])\s+/, '').replace(/^>\s?/, ''));
  }
  flush();
  return paragraphs
    .flatMap((paragraph) => paragraph.split(/\s*<\d+>\s*/))
    .flatMap((paragraph) => paragraph.split(sentenceEnd))
    .map((sentence) =>
      sentence
        .replace(/\s+/g, ' ')
        .replace(/\*\*|__/g, '')
        .replace(/【[^】]*】/g, '')
        .replace(/^\+\s+|\s+\+$/g, '')
        .trim(),
    )
    .filter((sentence) => sentence.length > 0);
}
