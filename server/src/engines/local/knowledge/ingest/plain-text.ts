import { dedent, indentWidth } from '../../../../common/index.js';

/**
 * A plain-text file's examples as the fenced code the answerer quotes line by line. A README or
 * a note writes an example as a block indented past its prose (OpenSSH's README.tun: a
 * tab-indented `Host sshgateway` / `Tunnel yes` configuration after "use the following ssh client
 * configuration:"); read as prose, its lines were run into one, and a configuration copied from
 * the answer did not work. A file that is AsciiDoc (Git's manuals are `.txt`) or already fences
 * its code is left as it is: it says what is code in its own way.
 */
export function fencePlainTextExamples(text: string): string {
  const lines = text.split('\n');
  if (lines.some((line) => fence.test(line)) || isAsciiDoc(lines)) return text;
  const margin = marginOf(lines);
  const out: string[] = [];
  let previous = '';
  // Inside a list, an indented paragraph continues its item (xdg-utils' README).
  let inList = false;
  for (let index = 0; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (listItem.test(line)) inList = true;
    else if (line.trim() !== '' && indentWidth(line) <= margin) inList = false;
    const startsBlock = index === 0 || (lines[index - 1] ?? '').trim() === '';
    // After a lead-in ("add the following line to /etc/inittab, and run 'telinit q':"), two
    // spaces past the margin make an example.
    const depth = /:\s*$/.test(previous) ? leadInIndent : exampleIndent;
    const isIndented = (candidate: string | undefined) =>
      candidate !== undefined && candidate.trim() !== '' && indentWidth(candidate) >= margin + depth;
    if (!startsBlock || !isIndented(line) || inList) {
      out.push(line);
      if (line.trim() !== '') previous = line;
      continue;
    }
    const example = [line];
    const firstIndent = indentWidth(line);
    // A blank line inside the example is kept when the example goes on after it, as deep.
    const resumes = (blank: string | undefined, next: string | undefined) =>
      blank?.trim() === '' && next !== undefined && next.trim() !== '' && indentWidth(next) >= firstIndent;
    while (isIndented(lines[index + 1]) || resumes(lines[index + 1], lines[index + 2])) {
      example.push(lines[index + 1] ?? '');
      index += 1;
    }
    // A paragraph whose first line is indented (GNU's READMEs) goes on at the margin; a title
    // centred by indentation (one line of words, or over its underline) is a title. Neither is an
    // example.
    const runsOn = (lines[index + 1] ?? '').trim() !== '';
    const isTitle =
      example.length === 1 && depth === exampleIndent && /^[\p{L}\p{N} ,.'()-]+$/u.test(line.trim());
    // Sentences indented as the document's paragraphs are ("    The following tools are
    // included in xdg-utils 1.0:"): prose, not an example.
    const written = example.filter((item) => item.trim() !== '');
    const isProse = written.filter((item) => proseLine.test(item.trim())).length * 2 >= written.length;
    const isTitleBlock = written.some((item) => /^\s*(?:={3,}|-{3,})\s*$/.test(item));
    if (runsOn || isTitle || isProse || isTitleBlock) {
      out.push(...example);
      previous = example.at(-1) ?? line;
      continue;
    }
    out.push('```', ...dedent(example), '```');
    previous = line;
  }
  return out.join('\n');
}

/** How far past the prose's margin a block is indented to be an example: a tab, or four spaces. */
const exampleIndent = 4;
const leadInIndent = 2;
/** A sentence: it opens on a capital and runs five words or more, or ends as sentences do. */
const proseLine = /^\p{Lu}[\p{Ll}']*(?:[ ,]+[\p{L}\p{N}'()-]+){4,}[.:!?]?$|^\p{Lu}.*[.:!?]$/u;
const fence = /^\s*(```|~~~)/;
const listItem = /^\s*([-*+•]|\d{1,2}[.)]|\(\w\))\s+\S/;

/** The indentation most of the text's lines have: its prose's margin (7 in a manual page saved as text). */
function marginOf(lines: readonly string[]): number {
  const counts = new Map<number, number>();
  for (const line of lines) {
    if (line.trim() === '') continue;
    const width = indentWidth(line);
    counts.set(width, (counts.get(width) ?? 0) + 1);
  }
  let margin = 0;
  for (const [width, count] of counts) if (count > (counts.get(margin) ?? 0)) margin = width;
  return margin;
}

/**
 * Whether the text is AsciiDoc: a definition term (`--onto <newbase>::`), a directive
 * (`include::`, `ifdef::`), an attribute entry (`:git-commit: 1`), a block attribute (`[verse]`)
 * or a Git manual's `linkgit:` macro. Its indented lines are a term's description or a literal
 * paragraph that the answerer reads as AsciiDoc.
 */
function isAsciiDoc(lines: readonly string[]): boolean {
  return lines.some(
    (line) =>
      /^\S.*::\s*$/.test(line) ||
      /^(?:include|ifdef|ifndef|endif)::/.test(line) ||
      /^:[\w-]+:(?:\s|$)/.test(line) ||
      /^\[(?:verse|source|listing|literal|NOTE|TIP|WARNING|IMPORTANT|CAUTION)\b[^\]]*\]\s*$/.test(line) ||
      /\blinkgit:[\w.-]+\[\d\]/.test(line),
  );
}
