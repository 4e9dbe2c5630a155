import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export type ContentKeyParts = {
  /** SHA-256 of the file's bytes, hex. */
  sha256: string;
  fileName: string;
  maxTokens: number;
  overlapTokens: number;
  model: string;
};

/**
 * How files are read into text: raised whenever that changes (v2: generated manuals' navigation
 * dropped from web pages, a browser's print header from PDFs, PDF and Word tables of contents, the
 * lines of a Word code block kept; v3: a web page's example given in two flavours read with a
 * blank line between them, not one run into the other; v4: a PDF's word broken at a line end
 * joined when only its pieces vouched for the hyphen, "delim-ited", its quotes and groff's `∗`
 * typed as ASCII; a web page's example inside a list item kept an example, not run into the item's
 * line; v5: a plain-text file's indented examples fenced, their lines kept; v6: a PDF option whose
 * synopsis ends on a literal `;`, find(1)'s `-exec command ;`, read as an entry; v7: a PDF entry
 * whose description is one line, its tag on the same line, read as an entry; a PDF's line spacing
 * told from its paragraph gaps where they are as common, diff(1) and ls(1); a web page's listing
 * framed by a one-cell table kept a listing, a table of definitions its terms, a paragraph headed
 * by a bold name and a line break read as an entry; v8: a PDF entry tagged by a key (less(1)'s
 * `M`, `ESC-m`, `/pattern`, `%f`) read as an entry, its tag split off when it runs into the
 * description; a PDF line opening on code (a glob `*`) no bullet, a PDF heading that wraps read as
 * one, and inline code printed by a browser read without its padding (`(>=0.1.12)`, not `(
 * >=0.1.12 )`); a web page's `<main>` or `role="main"` read alone (Node's "Skip to content" link
 * left out), and a page whose `<html>` or `<body>` has a chrome-like class (mdbook's
 * `sidebar-visible`, the Read the Docs theme's `wy-body-for-nav`) read at all), so the same bytes
 * added again are read the new way rather than copied from a file read the old way.
 */
export const readerVersion = 'v8';

/**
 * What a pair's chunks and vectors are a function of: the bytes, the chunking, the model, and
 * the file name (a document without a heading takes its title from the name, and the title is
 * indexed and embedded with every chunk), so two pairs with one key have identical chunks.
 */
export function contentKey(parts: ContentKeyParts): string {
  return JSON.stringify([
    readerVersion,
    parts.sha256,
    parts.maxTokens,
    parts.overlapTokens,
    parts.model,
    parts.fileName,
  ]);
}

/** SHA-256 of a file, read as a stream (a 50 MB upload is not held in memory twice). */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
