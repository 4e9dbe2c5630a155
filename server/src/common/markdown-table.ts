/** A Markdown table's separator row (`|---|:--:|`), which carries no text. */
export const tableSeparatorRow = /^[ \t]*\|?[ \t:|-]*-[ \t:|-]*\|?[ \t]*$/;

/** A Markdown table row read as text: its non-empty cells, trimmed, apart, without pipes. */
export function tableRowText(row: string): string {
  return row
    .replace(/^\s*\|/, '')
    .replace(/\|\s*$/, '')
    .split('|')
    .map((cell) => cell.trim())
    .filter((cell) => cell !== '')
    .join(' · ');
}
