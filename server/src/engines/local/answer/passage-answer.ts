import type { AnswerPiece, Answerer } from './answer-piece.js';
import { answerBlocks } from './answer-blocks.js';
import { findAnswer, type AnswerEvidence } from './answer-evidence.js';
import { notFoundText } from './no-answer.js';
import { renderPassage, type Passage } from './passage-blocks.js';
import { comparedEntries, type ScoredPassage } from './passage-selection.js';

/** Splits text into pieces of a few words (whitespace kept), so a passage streams as several deltas. */
export function wordGroups(text: string, wordsPerGroup = 6): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [];
  const groups: string[] = [];
  for (let index = 0; index < words.length; index += wordsPerGroup) {
    groups.push(words.slice(index, index + wordsPerGroup).join(''));
  }
  return groups;
}

/**
 * A how-to is answered by the explanation and the command that carries it out: when the best
 * passage has no example, the next passage of the same chunk that has one (a man page's
 * "Basic commands" after its description) comes with it, cut to the example and its lead-in.
 */
function exampleAfter(item: ScoredPassage, answered: readonly ScoredPassage[]): Passage | null {
  for (const passage of item.following) {
    // The next entry of an option list is another option: its example is not this one's (ssh_config's
    // ProxyJump came with PubkeyAcceptedAlgorithms' default list as its "example"). So is the next
    // heading that names an API item in code, unless it is one of this entry's own (pino's `name`
    // option came with `levelComparison`'s; `logger.child()` keeps its `bindings` argument's).
    if (passage.isTerm || (passage.label?.startsWith('`') === true && !isUnder(passage, item.passage)))
      return null;
    // A heading at the section's own level or above opens another section: only an examples
    // section there shows this one (DHAT's "Output File" came with "The Output Header"'s listing).
    if (isBeside(passage, item.passage) && !examplesHeading.test(passage.label ?? '')) return null;
    // A passage the answer quotes in its own right is not repeated as this one's example
    // (Cachegrind's "Using Cachegrind" section, then its "Running Cachegrind" twice).
    if (answered.some((other) => other !== item && samePassage(other.passage, passage))) return null;
    const index = passage.blocks.findIndex((block) => block.type === 'code');
    if (index === -1) continue;
    const start = Math.max(0, index - 1);
    return { ...passage, blocks: passage.blocks.slice(start, index + 1) };
  }
  return null;
}

/** Whether a passage's heading is a level below another's (`####` under `###`). */
const isUnder = (passage: Passage, parent: Passage) =>
  passage.level !== undefined && parent.level !== undefined && passage.level > parent.level;

/** Whether a passage's heading is at another's level or above (`##` after `###` or `##`). */
const isBeside = (passage: Passage, other: Passage) =>
  passage.level !== undefined && other.level !== undefined && passage.level <= other.level;
const examplesHeading = /\b(examples?|usage|samples?|demo)\b/i;

const samePassage = (left: Passage, right: Passage) =>
  left.label === right.label && left.blocks[0]?.text === right.blocks[0]?.text;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The citation offers the whole section the answer quotes from, up to this length (whole blocks). */
const maxQuoteCharacters = 4000;

/**
 * The whole passage as its citation's quote, in Markdown (its heading, lists, tables and code as
 * the answer renders them): the answer shows its part, the citation all of it.
 */
function wholePassage(passage: Passage): string {
  const blocks = [];
  let length = 0;
  for (const block of passage.blocks) {
    if (blocks.length > 0 && length + block.text.length > maxQuoteCharacters) break;
    blocks.push(block);
    length += block.text.length;
  }
  return renderPassage(passage, blocks);
}

/**
 * The default, model-free answer: the passage that answers the question, quoted as the
 * document has it (its heading, paragraphs, code kept verbatim), cited with that passage as the
 * quote; a second passage only when it adds evidence. When no passage covers enough of what is
 * distinctive in the question it says so and cites nothing. Yields to the event loop between
 * pieces so a cancel can land mid-answer.
 */
export function createPassageAnswerer(evidence: AnswerEvidence = {}): Answerer {
  return async function* (input): AsyncIterable<AnswerPiece> {
    const { chosen, selection, unmentioned } = await findAnswer(input, evidence);
    if (chosen.length === 0) {
      yield { type: 'text', text: notFoundText(unmentioned) };
      return;
    }
    const wantsExample = selection.wantsCode;
    const compared = comparedEntries(selection);
    const isCompared = compared !== null && compared.every((item, index) => chosen[index] === item);
    for (const [index, item] of chosen.entries()) {
      // A follow-up's part is found by its own words: what it continues has been answered already.
      // A compared entry is quoted from its opening, not from where the question's words fell.
      const blocks = answerBlocks(isCompared ? item.passage.blocks : item.blocks, {
        terms: selection.terms,
        action: selection.action,
        wantsCode: wantsExample,
        isFollowUp: selection.isFollowUp,
        previousAnswer: selection.isFollowUp ? (selection.previousAnswer ?? '') : '',
        isCompared,
        isEntry: item.passage.isTerm && item.blocks[0] === item.passage.blocks[0],
      });
      const example =
        wantsExample && !blocks.some((block) => block.type === 'code') ? exampleAfter(item, chosen) : null;
      const rendered = [renderPassage(item.passage, blocks), example ? renderPassage(example) : '']
        .filter((part) => part !== '')
        .join('\n\n');
      const groups = wordGroups(index > 0 ? `\n\n${rendered}` : rendered);
      for (const group of groups) {
        if (input.signal.aborted) return;
        yield { type: 'text', text: group };
        await yieldToEventLoop();
      }
      // After a fenced block or a table the marker needs a line of its own: in the fence it would
      // be code, after a table row a cell past the header's, which Markdown drops.
      if (rendered.endsWith('```') || /(^|\n)\|[^\n]*$/.test(rendered)) yield { type: 'text', text: '\n\n' };
      else yield { type: 'text', text: ' ' };
      const quote = [wholePassage(item.passage), example ? renderPassage(example) : '']
        .filter((part) => part !== '')
        .join('\n\n');
      yield { type: 'citation', source: item.source, quote };
    }
  };
}
