/** The PDF reader (pdf-layout.ts) ends each page's text with a `-- n of m --` line. */
const pageBreak = /^-- (\d+) of \d+ --$/m;

// Quotes are a passage in Markdown (placeholders escaped: `\<stash>`); the PDF's text may break
// lines or spaces differently.
const comparable = (text: string) =>
  text
    .replace(/\\(?=[<*_`[\]])/g, '')
    .replace(/[`*_#>]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/**
 * The 1-based page of a PDF (its text as the PDF reader gives it, page-break lines included) on which
 * `quote` starts; null when the quote is not found. Matches the quote's opening words, so a
 * passage that runs over a page break is found on the page where it starts.
 */
export function pageOfQuote(pdfText: string, quote: string): number | null {
  const pages = pdfText.split(pageBreak).filter((_part, index) => index % 2 === 0);
  const wanted = comparable(quote);
  if (wanted === '') return null;
  for (const length of [120, 40, 16]) {
    const opening = wanted.slice(0, length).trim();
    const index = pages.findIndex((page) => comparable(page).includes(opening));
    if (index !== -1) return index + 1;
  }
  return null;
}
