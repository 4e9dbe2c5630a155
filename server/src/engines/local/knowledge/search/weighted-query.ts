import type { SearchEmphasis } from '../../../engine.js';
import { queryTerms } from './search-terms.js';

const repeatsOf = (emphasis: SearchEmphasis) => Math.max(0, Math.round(emphasis.weight) - 1);

/**
 * The text a sentence model embeds for a weighted search: the query, then the emphasised words
 * once more for each unit of weight past one. A mean-pooled sentence embedding weighs words by
 * how often they occur, so this is how its vector gives them that weight. Keyword ranking weighs
 * them by weightedTerms.
 */
export function weightedText(query: string, emphasis: SearchEmphasis | null | undefined): string {
  if (!emphasis || emphasis.text.trim() === '') return query;
  return [query, ...Array.from({ length: repeatsOf(emphasis) }, () => emphasis.text)].join('\n');
}

/**
 * The keyword terms of a weighted search: `terms`, then those the emphasis holds once more for
 * each unit of weight past one. BM25 sums the score of every listed term (SQLite's MATCH phrases,
 * PostgreSQL's terms list alike), so a term listed twice counts twice: that is its weight.
 */
export function weightedTerms(
  terms: readonly string[],
  emphasis: SearchEmphasis | null | undefined,
): string[] {
  if (!emphasis) return [...terms];
  const emphasised = new Set(queryTerms(emphasis.text));
  const again = terms.filter((term) => emphasised.has(term));
  return [...terms, ...Array.from({ length: repeatsOf(emphasis) }, () => again).flat()];
}
