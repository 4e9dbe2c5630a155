import { acceptedFileExtensions } from '@threadline/shared';
import mammoth from 'mammoth';
import { htmlToText } from './html-to-text.js';
import { withoutContentsLists } from './contents-list.js';
import { normaliseDashes } from './normalise-dashes.js';
import { fencePlainTextExamples } from './plain-text.js';
import { PdfTextError, PdfTextWorker } from './pdf-text.js';
import { zipEntrySizes, ZipFormatError, zipLimitProblem, type ZipLimits } from './zip-entry-sizes.js';

/** Why a file could not be ingested; becomes the file's `last_error`. */
export class IngestionError extends Error {
  override readonly name = 'IngestionError';
  constructor(
    readonly code: 'invalid_file' | 'unsupported_file' | 'server_error',
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options);
  }
}

export type DocumentKind = 'markdown' | 'text' | 'html' | 'pdf' | 'docx';

const kinds: Record<(typeof acceptedFileExtensions)[number], DocumentKind> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.txt': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.pdf': 'pdf',
  '.docx': 'docx',
};

export function documentKind(fileName: string): DocumentKind | null {
  const extension = /\.[^.]+$/.exec(fileName.toLowerCase())?.[0];
  const accepted: readonly string[] = acceptedFileExtensions;
  if (extension === undefined || !accepted.includes(extension)) return null;
  return kinds[extension as (typeof acceptedFileExtensions)[number]];
}

export const acceptedTypesText = acceptedFileExtensions.join(', ');

/** What one document may expand to: checked before inflating (DOCX) and after extracting (all). */
export type DocumentLimits = { maxTextChars: number; zip: ZipLimits };

export const defaultDocumentLimits: DocumentLimits = {
  // A 50 MB upload of plain text is 50 M characters; anything well past that is an expansion.
  maxTextChars: 64 * 1024 * 1024,
  zip: { maxTotalBytes: 256 * 1024 * 1024, maxRatio: 100, ratioFloorBytes: 1024 * 1024 },
};

/** Extracts plain text (headings kept as Markdown-style lines) from an uploaded document. */
export async function parseDocument(
  fileName: string,
  bytes: Buffer,
  limits: DocumentLimits = defaultDocumentLimits,
): Promise<string> {
  const kind = documentKind(fileName);
  if (kind === null) {
    throw new IngestionError(
      'unsupported_file',
      `"${fileName}" is not a supported type; accepted: ${acceptedTypesText}`,
    );
  }
  const extracted = await extract(kind, bytes, limits);
  if (extracted.length > limits.maxTextChars) {
    throw new IngestionError(
      'invalid_file',
      `the document's text is ${extracted.length} characters long; the limit is ${limits.maxTextChars}`,
    );
  }
  // A PDF's or Word file's table of contents has no links left to tell it by (a web page's is
  // dropped when the page is read, a Markdown file's is the author's to keep).
  const normalised = normaliseText(extracted);
  const text = kind === 'pdf' || kind === 'docx' ? withoutContentsLists(normalised) : normalised;
  if (text.trim() === '') {
    throw new IngestionError('invalid_file', `"${fileName}" contains no text to index`);
  }
  return text;
}

async function extract(kind: DocumentKind, bytes: Buffer, limits: DocumentLimits): Promise<string> {
  switch (kind) {
    case 'markdown':
      return withoutHtmlComments(decodeUtf8(bytes));
    case 'text':
      return fencePlainTextExamples(decodeUtf8(bytes));
    case 'html':
      return htmlToText(decodeUtf8(bytes));
    case 'pdf':
      return extractPdf(bytes);
    case 'docx':
      return extractDocx(bytes, limits.zip);
  }
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch (error) {
    throw new IngestionError(
      'invalid_file',
      'the file is not valid UTF-8 text; save it as UTF-8 and upload it again',
      {
        cause: error,
      },
    );
  }
}

/** pdf.js runs in a worker thread of its own (see pdf-text.ts), started on the first PDF. */
const pdfText = new PdfTextWorker();

const pdfFailures: Record<PdfTextError['reason'], (error: PdfTextError) => [IngestionError['code'], string]> =
  {
    unreadable: () => ['invalid_file', 'the PDF could not be read (damaged or not a PDF?)'],
    encrypted: () => [
      'invalid_file',
      'the PDF is password-protected; remove the password and upload it again',
    ],
    over_limit: (error) => ['invalid_file', `the PDF is too heavy to read: ${error.message}`],
    stopped: () => ['server_error', 'the PDF reader stopped; try adding the file again'],
  };

async function extractPdf(bytes: Buffer): Promise<string> {
  try {
    // pdf-layout.ts ends each page with a "-- n of m --" line (for citations' page numbers);
    // they are layout, not content.
    return (await pdfText.extract(bytes)).replace(/^-- \d+ of \d+ --$/gm, '');
  } catch (error) {
    if (!(error instanceof PdfTextError)) throw error;
    const [code, message] = pdfFailures[error.reason](error);
    throw new IngestionError(code, message, { cause: error });
  }
}

/** Images are never read (their bytes would only become data URIs the text drops). */
const skipImages = mammoth.images.imgElement(() => Promise.resolve({ src: '' }));

/**
 * Word's own and common code styles read as code: mammoth maps only headings, lists and tables
 * by default, and an example in "HTML Preformatted" would otherwise run into one paragraph.
 */
const codeStyles = ['Code', 'Source Code', 'HTML Preformatted', 'Plain Text', 'Macro Text', 'Code Block'];
const docxStyleMap = [
  ...codeStyles.map((name) => `p[style-name='${name}'] => pre:separator('\n')`),
  ...['Code Char', 'HTML Code', 'Verbatim Char', 'Source Code Char'].map(
    (name) => `r[style-name='${name}'] => code`,
  ),
];

async function extractDocx(bytes: Buffer, limits: ZipLimits): Promise<string> {
  // The sizes the archive declares, before mammoth inflates anything: a zip bomb stops here.
  let problem: string | null;
  try {
    problem = zipLimitProblem(zipEntrySizes(bytes), limits);
  } catch (error) {
    if (!(error instanceof ZipFormatError)) throw error;
    throw new IngestionError('invalid_file', `the DOCX file could not be read: ${error.message}`, {
      cause: error,
    });
  }
  if (problem !== null)
    throw new IngestionError('invalid_file', `the DOCX file is too large to read: ${problem}`);
  try {
    const result = await mammoth.convertToHtml(
      { buffer: bytes },
      { convertImage: skipImages, styleMap: docxStyleMap },
    );
    return htmlToText(result.value);
  } catch (error) {
    throw new IngestionError(
      'invalid_file',
      'the DOCX file could not be read (damaged or not a Word document?)',
      {
        cause: error,
      },
    );
  }
}

/**
 * Markdown's HTML comments are notes to its authors (`<!-- YAML added: v16.11.0 -->` in the
 * Node.js docs), never text to quote; inside a code fence they are the example and stay.
 */
export function withoutHtmlComments(markdown: string): string {
  return markdown
    .split(/(^(?:```|~~~)[^\n]*\n[\s\S]*?^(?:```|~~~)[ \t]*$)/m)
    .map((part, index) => (index % 2 === 1 ? part : part.replace(/<!--[\s\S]*?-->/g, '')))
    .join('');
}

function normaliseText(text: string): string {
  return normaliseDashes(text)
    .replace(/\r\n?/g, '\n')
    .replaceAll('\u0000', '')
    .replace(/[ \t]+\n/g, '\n')
    .replace(/\n{4,}/g, '\n\n\n');
}
