/**
 * Dashes as a person types them in a shell. Typesetting turns the hyphen-minus of `--all` into a
 * minus sign (groff's `\-` prints U+2212), word processors into an en or em dash, and a pasted
 * `−−include−untracked` then fails. The minus sign and the hyphen look-alikes become `-`; an en
 * or em dash that opens a word (`–all`, `—include-untracked`: an option a word processor
 * "corrected") becomes `--`; a soft hyphen, invisible in print, goes. Dashes between words
 * (`pages 3–5`, `this — that`) stay as written. groff also prints `^` and `~` as the spacing
 * accents U+02C6 and U+02DC (`HEADˆ`, `HEAD˜2`), and `*` as the asterisk operator U+2217
 * (ssh_config's `Host ∗.co.uk`), which a shell or a configuration file does not read either.
 */
export function normaliseDashes(text: string): string {
  return text
    .replace(/[\u2212\u2010\u2011\u2012\uFE63\uFF0D]/g, '-')
    .replace(/\u00AD/g, '')
    .replace(/\u02C6/g, '^')
    .replace(/\u02DC/g, '~')
    .replace(/\u2217/g, '*')
    .replace(/(^|[\s[(|,=])[\u2013\u2014]{1,2}(?=[A-Za-z])/gm, '$1--');
}

/**
 * Quotes as a person types them, for text a typesetter printed. groff prints the `'` of a manual
 * page as U+2019 and `` ` `` as U+2018 (`xargs -I ’{}’ rm ’{}’`, `--xattrs-exclude=’^user.’`),
 * and its doubled ``` `` ``` and `''` as pairs of them; a pasted command with them fails in a
 * shell. In print a reader cannot tell them from the apostrophes and quotes they stand for, so
 * every one becomes its ASCII form: a pair the double quote, one the single quote.
 */
export function normalisePrintedQuotes(text: string): string {
  return text.replace(/[\u2018\u2019]{2}|[\u201C\u201D]/g, '"').replace(/[\u2018\u2019]/g, "'");
}
