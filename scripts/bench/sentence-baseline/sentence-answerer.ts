// Today's (2026-11) sentence-picking extractive answerer, kept only as bench:answers' baseline.
import type { SearchHit } from '@threadline/shared';
import type { AnswerPiece, Answerer } from '../../../server/src/engines/local/answer/answer-piece.js';
import { noRelevantInformationText } from '../../../server/src/engines/local/answer/no-answer.js';
import { queryTerms } from './query-terms.js';
import { splitSentences } from './sentence-splitter.js';

export type SelectedSentence = { sentence: string; source: number; position: number; score: number };

export type SelectionOptions = { maxSentences: number; maxHits: number };
const defaults: SelectionOptions = { maxSentences: 4, maxHits: 5 };

/**
 * Scores every sentence of the top hits by how many query terms it covers, weighted by its
 * chunk's rank and favouring focused sentences; returns the best, deduplicated (overlapping
 * chunks repeat sentences), in reading order: by source rank, then position in the chunk.
 */
export function selectSentences(
  query: string,
  hits: readonly SearchHit[],
  options: SelectionOptions = defaults,
): SelectedSentence[] {
  const terms = queryTerms(query);
  if (terms.size === 0) return [];
  const sentences = hits.slice(0, options.maxHits).flatMap((hit, rank) =>
    splitSentences(hit.text)
      .map((sentence, position) => ({ sentence, rank, position, words: queryTerms(sentence) }))
      .filter((item) => item.sentence.length >= 12 && item.sentence.length <= 700),
  );
  // Terms found in fewer sentences say more (an IDF over the retrieved sentences).
  const weight = new Map<string, number>();
  for (const term of terms) {
    const frequency = sentences.filter((item) => item.words.has(term)).length;
    weight.set(term, Math.log(1 + (sentences.length + 1) / (frequency + 1)));
  }
  const totalWeight = [...weight.values()].reduce((sum, value) => sum + value, 0);
  const candidates: SelectedSentence[] = [];
  for (const item of sentences) {
    let matched = 0;
    let matchedWeight = 0;
    for (const term of terms) {
      if (!item.words.has(term)) continue;
      matched += 1;
      matchedWeight += weight.get(term) ?? 0;
    }
    if (matched === 0 || (matched / terms.size < 0.3 && matched < 2)) continue;
    const coverage = totalWeight > 0 ? matchedWeight / totalWeight : 0;
    const rankWeight = 1 / (1 + 0.25 * item.rank);
    const focus = matched / Math.sqrt(item.words.size + 1);
    // Long sentences dilute an answer; past ~300 characters they count for less.
    const lengthWeight = item.sentence.length > 300 ? 300 / item.sentence.length : 1;
    candidates.push({
      sentence: item.sentence,
      source: item.rank,
      position: item.position,
      score: (coverage + 0.15 * focus) * rankWeight * lengthWeight,
    });
  }
  const seen = new Set<string>();
  const chosen: SelectedSentence[] = [];
  for (const candidate of candidates.sort((left, right) => right.score - left.score)) {
    const key = candidate.sentence.toLowerCase().replace(/\W+/g, ' ').trim();
    if (seen.has(key)) continue;
    seen.add(key);
    chosen.push(candidate);
    if (chosen.length === options.maxSentences) break;
  }
  return chosen.sort((left, right) => left.source - right.source || left.position - right.position);
}

/** Splits text into pieces of a few words, so a sentence streams as several deltas. */
export function wordGroups(text: string, wordsPerGroup = 6): string[] {
  const words = text.match(/\S+\s*/g) ?? [];
  const groups: string[] = [];
  for (let index = 0; index < words.length; index += wordsPerGroup) {
    groups.push(words.slice(index, index + wordsPerGroup).join(''));
  }
  return groups;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The default, model-free answer: the most relevant sentences, each followed by its citation.
 * Yields to the event loop between pieces (no delay) so a cancel can land mid-answer.
 */
export const extractiveAnswerer: Answerer = async function* (input): AsyncIterable<AnswerPiece> {
  const selected = selectSentences(input.query, input.hits);
  if (selected.length === 0) {
    yield { type: 'text', text: noRelevantInformationText };
    return;
  }
  for (const [index, item] of selected.entries()) {
    const groups = wordGroups(item.sentence);
    for (const [groupIndex, group] of groups.entries()) {
      if (input.signal.aborted) return;
      const prefix = index > 0 && groupIndex === 0 ? '\n\n' : '';
      yield { type: 'text', text: prefix + (groupIndex === groups.length - 1 ? group.trimEnd() : group) };
      await yieldToEventLoop();
    }
    yield { type: 'citation', source: item.source, quote: item.sentence };
  }
};
