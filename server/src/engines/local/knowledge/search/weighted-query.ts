import type { SearchEmphasis } from '../../../engine.js';

/**
 * The text a sentence model embeds for a weighted search: the query, then the emphasised words
 * once more for each unit of weight past one. A mean-pooled sentence embedding weighs words by
 * how often they occur, so this is how its vector gives them that weight. Keyword ranking counts
 * each term once either way, so the query alone serves it.
 */
export function weightedText(query: string, emphasis: SearchEmphasis | null | undefined): string {
  if (!emphasis || emphasis.text.trim() === '') return query;
  const repeats = Math.max(0, Math.round(emphasis.weight) - 1);
  return [query, ...Array.from({ length: repeats }, () => emphasis.text)].join('\n');
}
