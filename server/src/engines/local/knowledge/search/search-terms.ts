/**
 * Turns text into the terms the keyword index and the local embedding see. Beyond plain words
 * it keeps what people type about software: option names (`--soft` → `soft`), dotted and
 * snake/camel-cased identifiers (`commit.gpgSign` → `commit`, `gpg`, `sign`, `gpgsign`,
 * `commitgpgsign`), so a question in prose and a passage in code meet. Stemming is
 * `lightStem` (plurals only); character n-grams in the embedding add the rest.
 */
export const stopWords = new Set(
  (
    'a an and are as at be been but by can could did do does doing for from had has have how i if in ' +
    'into is it its me my of on or our should so than that the their them then there these they this ' +
    'those to was we were what when where which while who whom why will with would you your'
  ).split(' '),
);

/** A word as search reads it: letters and digits, joined by `.`, `_`, `-`, `/`, `:` or `@` (`Node.js`, `user@host`). */
export const wordPattern = /[\p{L}\p{N}]+(?:[._\-/:@][\p{L}\p{N}]+)*/gu;

/** Every term of a text, in order, with identifier parts and joined forms added. */
export function searchTerms(text: string, options: { keepStopWords?: boolean } = {}): string[] {
  const terms: string[] = [];
  for (const match of withoutContractions(text).matchAll(wordPattern)) {
    const pieces = match[0].split(/[._\-/:@]+/).filter((piece) => piece !== '');
    const parts: string[] = [];
    for (const piece of pieces) {
      const camelParts = splitCamelCase(piece).map((part) => part.toLowerCase());
      parts.push(...camelParts);
      if (camelParts.length > 1) terms.push(piece.toLowerCase());
    }
    for (const part of parts) {
      if (options.keepStopWords === true || !stopWords.has(part)) terms.push(lightStem(part));
    }
    if (pieces.length > 1) terms.push(pieces.join('').toLowerCase());
  }
  return terms;
}

/**
 * A light English stemmer: plural and verb endings only (`commits` → `commit`, `branches` →
 * `branch`, `working` → `work`, `committed` → `commit`, `rebasing`/`rebase` → `rebas`).
 * Full Porter stemming was measured to hurt on technical text (it also folds derivations
 * such as `-ation`, `-ful`, `-ive` that carry meaning in option and command names).
 */
export function lightStem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word;
  let stem = word;
  if (stem.endsWith('ies') && stem.length > 4) stem = `${stem.slice(0, -3)}y`;
  else if (/(sses|xes|ches|shes|zzes)$/.test(stem)) stem = stem.slice(0, -2);
  else if (stem.endsWith('s') && !/(ss|us|is|os)$/.test(stem)) stem = stem.slice(0, -1);
  const verb = /^(.{3,}?)(ing|ed)$/.exec(stem);
  if (verb?.[1] && /[aeiouy]/.test(verb[1])) {
    stem = verb[1];
    // `committed` → `commit`, `stopping` → `stop`; but `install`, `pass` keep their pairs.
    if (/([bdgmnprt])\1$/.test(stem)) stem = stem.slice(0, -1);
  }
  if (stem.length > 4 && stem.endsWith('e')) stem = stem.slice(0, -1);
  return stem;
}

/**
 * English contractions as the words they stand for: "don't" is "do not", not the terms `don` and
 * `t` (rare, so they outweighed the rest of "what happens if I don't list any?"), and "Fastify's"
 * is "Fastify", not `fastify` and `s`.
 */
function withoutContractions(text: string): string {
  if (!/['’]/.test(text)) return text;
  return text
    .replace(/\b(can|won)['’]t\b/giu, (_match, word: string) =>
      word.toLowerCase() === 'can' ? 'cannot' : 'will not',
    )
    .replace(/(\p{L})n['’]t\b/gu, '$1 not')
    .replace(/(\p{L})['’](?:s|re|ll|ve|d|m)\b/giu, '$1');
}

function splitCamelCase(word: string): string[] {
  if (!/[a-z][A-Z]/.test(word)) return [word];
  return word.split(/(?<=[a-z0-9])(?=[A-Z])/);
}

/**
 * Two adjacent words of a text as one, the way documentation often writes a phrase ("check out"
 * → `checkout`, "log in" → `login`, "host name" → `hostname`, "work tree" → `worktree`): the
 * caller keeps those the documents use. A phrase opening on a stop word is not one ("with out").
 * Searched and weighed as the question's terms, measured with MiniLM: `npm run bench:retrieval` on
 * the Git docs MRR@10 0.69 → 0.72 (hit@5 and paraphrases unchanged); `npm run bench:answers`
 * correct Git 0.64 → 0.68 ("check out only part of a large repository" finds git-sparse-checkout),
 * held-out 0.64 → 0.68 ("real host name" is `HostName`), unseen 0.66 → 0.69; Git follow-ups
 * 0.83 → 0.67 and Git paraphrases 0.12 → 0.08 (one answer each); every other figure unchanged.
 */
export function joinedPairs(text: string): string[] {
  const joined = new Set<string>();
  // Words of one phrase: punctuation other than a hyphen ends it.
  for (const phrase of withoutContractions(text).split(/[^\p{L}\p{N}\s-]+/u)) {
    // A word with a digit ("bz2", "ipv6") is a name, not half of a phrase: read as its letters,
    // ".bz2 file" joined into `bzfile`, the C type BZFILE of bzip2's library manual.
    const words = (phrase.match(/[\p{L}\p{N}]+/gu) ?? []).map((word) => word.toLowerCase());
    for (let index = 0; index + 1 < words.length; index += 1) {
      const first = words[index] ?? '';
      const second = words[index + 1] ?? '';
      if (stopWords.has(first) || first.length < 2 || /\p{N}/u.test(first + second)) continue;
      // As the index holds it: stemmed as a word, whole as a camel-cased name's joined form.
      joined.add(`${first}${second}`);
      joined.add(lightStem(`${first}${second}`));
      if (joined.size >= maxJoinedPairs) return [...joined];
    }
  }
  return [...joined];
}

/** Each joined form is looked up in the vocabulary: a pasted page asks for its first phrases only. */
const maxJoinedPairs = 128;

/**
 * What a keyword list searches for a query, on either backend: its distinct terms, and the
 * phrases of it the documents write as one word, those `isUsed` says a chunk holds.
 */
export function keywordQueryTerms(query: string, isUsed: (term: string) => boolean): string[] {
  return [...new Set([...queryTerms(query), ...joinedPairs(query).filter(isUsed)])];
}

/** Distinct query terms (stop words dropped unless nothing else is left). */
export function queryTerms(query: string): string[] {
  const terms = searchTerms(query);
  const chosen = terms.length > 0 ? terms : searchTerms(query, { keepStopWords: true });
  return [...new Set(chosen)];
}

/** An FTS5 MATCH expression that ORs the terms, each quoted so nothing is read as syntax. */
export function toMatchExpression(terms: readonly string[]): string {
  return terms.map((term) => `"${term.replaceAll('"', '""')}"`).join(' OR ');
}
