/** A line's indentation in columns, a tab counting four. */
export const indentWidth = (line: string): number =>
  /^[ \t]*/.exec(line)?.[0].replace(/\t/g, '    ').length ?? 0;

/**
 * Lines with the indentation they all share removed (a tab counting four columns), and trailing
 * whitespace dropped: an example as a person copies it.
 */
export function dedent(lines: readonly string[]): string[] {
  const indents = lines.filter((line) => line.trim() !== '').map(indentWidth);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return lines.map((line) => {
    let removed = 0;
    let position = 0;
    while (
      position < line.length &&
      removed < common &&
      (line[position] === ' ' || line[position] === '\t')
    ) {
      removed += line[position] === '\t' ? 4 : 1;
      position += 1;
    }
    return line.slice(position).trimEnd();
  });
}
