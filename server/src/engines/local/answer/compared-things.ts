/**
 * The two things a question compares ("What is the difference between dependencies and
 * devDependencies?", "`--soft` vs `--hard`", "How does a soft limit differ from a hard one?"),
 * each as the names its entry may carry: the words as written, and, where the two share a last
 * word ("a soft and a hard limit"), each with it and without it. Null for any other question.
 */
export function comparedThings(question: string): [string[], string[]] | null {
  const text = question.trim().replace(/[?!.]+$/, '');
  const match =
    /\bdifferen(?:ce|ces|t)\s+between\s+(.+?)\s+and\s+(.+?)(?:\s+(?:when|while|if|in|for|on|during)\s+.*)?$/i.exec(
      text,
    ) ??
    /\bhow\s+(?:does|do|is|are)\s+(.+?)\s+differ(?:ent)?\s+from\s+(.+)$/i.exec(text) ??
    /^(?:(?:what|which)\s+(?:is|are)\s+(?:better\s*,?\s*)?)?(.+?)\s+(?:vs\.?|versus)\s+(.+)$/i.exec(text);
  if (!match?.[1] || !match[2]) return null;
  const first = thingOf(match[1]);
  const second = thingOf(match[2]);
  if (first.length === 0 || second.length === 0 || first.join(' ') === second.join(' ')) return null;
  // Two things of more than a few words are descriptions, not names an entry carries.
  if (first.length > 4 || second.length > 4) return null;
  return [formsOf(first, second), formsOf(second, first)];
}

/** The thing's words, lowercased, without the article or "using" before it and its code marks. */
function thingOf(phrase: string): string[] {
  return phrase
    .replace(/[`'"“”‘’*]/g, '')
    .replace(/^(?:(?:a|an|the|using)\s+)+/i, '')
    .replace(/\s+(?:one|ones)$/i, '')
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
}

/**
 * The names an entry for `thing` may carry: as written, and where the two share a last word
 * ("soft limit", "hard limit") or one leaves it to the other ("a soft and a hard limit"), without
 * it and with it.
 */
function formsOf(thing: readonly string[], other: readonly string[]): string[] {
  const forms = new Set([thing.join(' ')]);
  const head = thing.at(-1);
  const otherHead = other.at(-1);
  if (thing.length > 1 && (head === otherHead || other.length === 1)) forms.add(thing.slice(0, -1).join(' '));
  if (thing.length === 1 && other.length > 1 && otherHead !== undefined)
    forms.add(`${thing[0]} ${otherHead}`);
  return [...forms];
}
