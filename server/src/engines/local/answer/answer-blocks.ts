import { searchTerms } from '../knowledge/search/search-terms.js';
import type { Block } from './passage-blocks.js';
import { coversAction } from './question-topic.js';

/**
 * A section this short is quoted whole: cutting it would save the reader little. Past it, the
 * answer is the block that carries the question with what belongs to it: configuration.md's lead
 * answers "where does Threadline keep its data?" without the invalid-configuration example after
 * it. Measured with `npm run bench:answers` (MiniLM): at 80 rather than 120 every set's correct,
 * follow-up and refusal figures are unchanged and the median answer shortens (Git docs 127 → 113
 * words, product docs 86 → 68, unseen 88 → 61); at 100 Git stays at 124; at 60 Git loses an answer.
 */
const wholeSectionWords = 80;
/** Another block joins the answer when it carries at least this share of the question's weight the others lack. */
const addedEvidenceShare = 0.25;
/** How much more of the question a later block of an entry must carry than its opening to answer instead. */
const entryOpeningMargin = 1.2;
/** …and the answer stays within this many words. */
const maxAnswerWords = 160;

const comparable = (text: string) =>
  text
    .toLowerCase()
    .replace(/[`*_\\【】]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
const wordCount = (text: string) => text.split(/\s+/).filter((word) => word !== '').length;
// As coverage is counted: a final e folded, so "remove" and "removed" (stemmed "remov") meet.
const fold = (term: string) => (term.length > 4 && term.endsWith('e') ? term.slice(0, -1) : term);
const termsOf = (text: string) => new Set(searchTerms(text).map(fold));

/**
 * The part of a section that answers: the block (paragraph, list, table, code) that carries most
 * of the question's terms, with what belongs to it: the sentence that leads into a list, table or
 * example ("Some rules:"), the example that follows a how-to's explanation, and another block of
 * the section only when it adds much of the question the first lacks. Whole blocks always, in the
 * section's order, so the answer never ends mid-sentence; a short section stays whole.
 */
export function answerBlocks(
  blocks: readonly Block[],
  question: {
    terms: ReadonlyMap<string, number>;
    action: string | null;
    wantsCode: boolean;
    /** A follow-up's few words pick a block poorly: its section is quoted whole up to the answer's length. */
    isFollowUp?: boolean;
    /** What the conversation's previous answer said: a follow-up is answered with what it did not. */
    previousAnswer?: string;
    /** One of two entries a question compares: what it is, its opening, not the block its words pick. */
    isCompared?: boolean;
    /** Whether the blocks are an option or command entry's, opening on what it does. */
    isEntry?: boolean;
  },
): Block[] {
  const { terms, action, wantsCode } = question;
  const previous = comparable(question.previousAnswer ?? '');
  const wasShown = (block: Block) => {
    const text = comparable(block.text).slice(0, 120);
    return previous !== '' && text.length > 20 && previous.includes(text);
  };
  if (previous !== '' && blocks.some(wasShown) && !blocks.every(wasShown))
    return answerBlocks(
      blocks.filter((block) => !wasShown(block)),
      { ...question, previousAnswer: '' },
    );
  if (question.isCompared === true) return opening(blocks, wholeSectionWords);
  const total = wordCount(blocks.map((block) => block.text).join(' '));
  if (blocks.length <= 1 || total <= (question.isFollowUp ? maxAnswerWords : wholeSectionWords))
    return [...blocks];
  const words = blocks.map((block) => termsOf(block.text));
  const has = (index: number, term: string) => words[index]?.has(fold(term)) === true;
  const weightOf = (index: number, except: ReadonlySet<string> = new Set()) => {
    let weight = 0;
    for (const [term, termWeight] of terms) if (!except.has(term) && has(index, term)) weight += termWeight;
    return weight;
  };
  // The block that says what the question asks to do ("keep files from being included") beats
  // one that only names its things.
  const actionWeight = [...terms.values()].reduce((total, weight) => total + weight, 0) / 2;
  const scoreOf = (index: number) =>
    weightOf(index) + (action !== null && coversAction(action, words[index] ?? new Set()) ? actionWeight : 0);
  let best = 0;
  blocks.forEach((_block, index) => {
    if (scoreOf(index) > scoreOf(best)) best = index;
  });
  // An entry's opening says what it does ("Lock the password of the named account."): a later
  // block of it answers instead only when it carries clearly more of the question, not one more
  // light word ("Users with a locked password are not allowed to change their password.").
  if (
    question.isEntry === true &&
    best > 0 &&
    blocks[0]?.type === 'paragraph' &&
    scoreOf(best) < scoreOf(0) * entryOpeningMargin
  )
    best = 0;
  // Nothing in a follow-up picks a block ("how do I get it back later?"): the section's opening,
  // whole blocks up to the answer's length, rather than one block at random.
  if (question.isFollowUp === true && blocks.every((_block, index) => weightOf(index) === 0))
    return opening(blocks, maxAnswerWords);
  const chosen = new Set([best]);
  const isLeadIn = (index: number) => /:\s*$/.test(blocks[index]?.text ?? '');
  // A paragraph that goes on from the block before it ("where the … is zero or more color
  // characters" after less(1)'s `ESC [ … m`) needs that block, and that block the sentence
  // leading into it ("ANSI color escape sequences are sequences of the form:").
  if (best > 0 && continuation.test(blocks[best]?.text ?? '')) {
    chosen.add(best - 1);
    if (blocks[best - 2]?.type === 'paragraph' && isLeadIn(best - 2)) chosen.add(best - 2);
  }
  const before = blocks[best - 1];
  // What introduces a list, table or example belongs to it.
  if (before && before.type === 'paragraph' && (blocks[best]?.type !== 'paragraph' || isLeadIn(best - 1)))
    chosen.add(best - 1);
  // So does what a lead-in introduces, and the example that shows a how-to.
  const after = blocks[best + 1];
  if (
    after &&
    (isLeadIn(best) || (after.type === 'code' && (wantsCode || blocks[best]?.type === 'paragraph')))
  )
    chosen.add(best + 1);
  const covered = () =>
    new Set([...terms.keys()].filter((term) => [...chosen].some((index) => has(index, term))));
  const totalWeight = [...terms.values()].reduce((sum, weight) => sum + weight, 0);
  const chosenWords = () => wordCount([...chosen].map((index) => blocks[index]?.text ?? '').join(' '));
  const extra = blocks
    .map((_block, index) => index)
    .filter((index) => !chosen.has(index))
    .sort((left, right) => weightOf(right, covered()) - weightOf(left, covered()))[0];
  if (
    extra !== undefined &&
    totalWeight > 0 &&
    weightOf(extra, covered()) / totalWeight >= addedEvidenceShare &&
    chosenWords() + wordCount(blocks[extra]?.text ?? '') <= maxAnswerWords
  ) {
    chosen.add(extra);
    const extraBefore = blocks[extra - 1];
    if (blocks[extra]?.type !== 'paragraph' && extraBefore?.type === 'paragraph') chosen.add(extra - 1);
  }
  // A how-to shows its command: the section's example nearest the answer, with its lead-in.
  if (wantsCode && ![...chosen].some((index) => blocks[index]?.type === 'code')) {
    const codes = blocks
      .map((block, index) => (block.type === 'code' ? index : -1))
      .filter((index) => index >= 0);
    const example = codes.find((index) => index > best) ?? codes.filter((index) => index < best).at(-1);
    const leadIn =
      example !== undefined && blocks[example - 1]?.type === 'paragraph' ? example - 1 : undefined;
    const added = [leadIn, example].filter(
      (index): index is number => index !== undefined && !chosen.has(index),
    );
    const addedWords = wordCount(added.map((index) => blocks[index]?.text ?? '').join(' '));
    if (example !== undefined && chosenWords() + addedWords <= maxAnswerWords)
      for (const index of added) chosen.add(index);
  }
  return blocks.filter((_block, index) => chosen.has(index));
}

/** A paragraph opening on a word that carries on from the block before it. */
const continuation = /^(?:where|which|whereas|and|or|but|so|then|otherwise)\b/;

/** The section's first blocks, whole, up to `words` words (the first block whatever its length). */
function opening(blocks: readonly Block[], words: number): Block[] {
  const kept: Block[] = [];
  for (const block of blocks) {
    if (kept.length > 0 && wordCount([...kept, block].map((item) => item.text).join(' ')) > words) break;
    kept.push(block);
  }
  return kept;
}
