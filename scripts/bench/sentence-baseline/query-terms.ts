const stopWords = new Set(
  (
    'a an and are as at be but by can could did do does for from has have how i if in into is it its ' +
    'me my no not of on or our should so than that the their them then there these they this to ' +
    'was we were what when where which who why will with would you your about which use using'
  ).split(' '),
);

/** Light suffix stripping so "branches", "branched" and "branch" meet. */
export function stem(word: string): string {
  if (word.length <= 4) return word;
  for (const suffix of ['ingly', 'edly', 'ing', 'ies', 'ied', 'es', 'ed', 'ly', 's']) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      return suffix === 'ies' || suffix === 'ied' ? `${base}y` : base;
    }
  }
  return word;
}

/** Distinct content words of a text, lower-cased and stemmed, stop words removed. */
export function queryTerms(text: string): Set<string> {
  const terms = new Set<string>();
  for (const word of text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}_-]*/gu) ?? []) {
    if (word.length < 2 || stopWords.has(word)) continue;
    terms.add(stem(word));
  }
  return terms;
}
