import type { TermStatistics } from '../knowledge/term-statistics.js';
import type { AnswerPiece, Answerer, AnswerInput } from './answer-piece.js';
import { conversationQuestion } from './conversation-question.js';
import { noRelevantInformationText } from './no-answer.js';
import { passagePlainText, renderPassage, type Passage } from './passage-blocks.js';
import {
  answerPassages,
  isHowTo,
  minimumCoverage,
  selectPassages,
  type ScoredPassage,
  type Selection,
} from './passage-selection.js';

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
function exampleAfter(item: ScoredPassage): Passage | null {
  for (const passage of item.following) {
    const index = passage.blocks.findIndex((block) => block.type === 'code');
    if (index === -1) continue;
    const start = Math.max(0, index - 1);
    return { ...passage, blocks: passage.blocks.slice(start, index + 1) };
  }
  return null;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The passages an answer rests on, read with the conversation; empty when the documents are silent. */
export function selectAnswer(input: AnswerInput, termStatistics?: TermStatistics): Selection {
  const question = conversationQuestion(input.conversation);
  const focus = question.focus === '' ? input.query : question.focus;
  return selectPassages({
    focus,
    context: question.context,
    hits: input.hits,
    topicFileIds: question.topicFileIds,
    termStatistics,
  });
}

/**
 * The default, model-free answer: the passage that answers the question, quoted as the
 * document has it (its heading, paragraphs, code kept verbatim), cited with that passage as the
 * quote; a second passage only when it adds evidence. When no passage covers enough of what is
 * distinctive in the question it says so and cites nothing. Yields to the event loop between
 * pieces so a cancel can land mid-answer.
 */
export function createPassageAnswerer(termStatistics?: TermStatistics): Answerer {
  return async function* (input): AsyncIterable<AnswerPiece> {
    const selection = selectAnswer(input, termStatistics);
    const chosen = selection.coverage >= minimumCoverage ? answerPassages(selection) : [];
    if (chosen.length === 0) {
      yield { type: 'text', text: noRelevantInformationText };
      return;
    }
    const wantsExample = isHowTo(conversationQuestion(input.conversation).focus || input.query);
    for (const [index, item] of chosen.entries()) {
      const example = wantsExample && !item.hasCode ? exampleAfter(item) : null;
      const rendered = [renderPassage(item.passage, item.blocks), example ? renderPassage(example) : '']
        .filter((part) => part !== '')
        .join('\n\n');
      const groups = wordGroups(index > 0 ? `\n\n${rendered}` : rendered);
      for (const group of groups) {
        if (input.signal.aborted) return;
        yield { type: 'text', text: group };
        await yieldToEventLoop();
      }
      // After a fenced block the marker needs a line of its own, or it would sit inside the fence.
      if (rendered.endsWith('```')) yield { type: 'text', text: '\n\n' };
      else yield { type: 'text', text: ' ' };
      const quote = [passagePlainText(item.passage, item.blocks), example ? passagePlainText(example) : '']
        .filter((part) => part !== '')
        .join('\n\n');
      yield { type: 'citation', source: item.source, quote };
    }
  };
}
