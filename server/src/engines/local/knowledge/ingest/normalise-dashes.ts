/**
 * Dashes as a person types them in a shell. Typesetting turns the hyphen-minus of `--all` into a
 * minus sign (groff's `\-` prints U+2212), word processors into an en or em dash, and a pasted
 * `−−include−untracked` then fails. The minus sign and the hyphen look-alikes become `-`; an en
 * or em dash that opens a word (`–all`, `—include-untracked`: an option a word processor
 * "corrected") becomes `--`; a soft hyphen, invisible in print, goes. Dashes between words
 * (`pages 3–5`, `this — that`) stay as written. groff also prints `^` and `~` as the spacing
 * accents U+02C6 and U+02DC (`HEADˆ`, `HEAD˜2`), which a shell does not read either.
 */
export function normaliseDashes(text: string): string {
  return text
    .replace(/[\u2212\u2010\u2011\u2012\uFE63\uFF0D]/g, '-')
    .replace(/\u00AD/g, '')
    .replace(/\u02C6/g, '^')
    .replace(/\u02DC/g, '~')
    .replace(/(^|[\s[(|,=])[\u2013\u2014]{1,2}(?=[A-Za-z])/gm, '$1--');
}
