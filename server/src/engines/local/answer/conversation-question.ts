import type { Message } from '@threadline/shared';
import type { SearchEmphasis } from '../../engine.js';
import { searchTerms } from '../knowledge/search/search-terms.js';

/** The latest question read in the context of the thread. */
export type ConversationQuestion = {
  /** The user's latest message as typed. */
  focus: string;
  /** Earlier questions this one depends on ("it", "that setting", "what about …"), or null. */
  context: string | null;
  /** What retrieval searches for, as the person wrote it: the context and the focus together. */
  searchQuery: string;
  /** Words the search weighs above the rest of the query: a follow-up's own, or null. */
  emphasis: SearchEmphasis | null;
  /** Files the previous answer cited: where a follow-up most likely finds its answer. */
  topicFileIds: string[];
  /** What the answer before a follow-up said (its text), or null. */
  previousAnswer: string | null;
};

// Words that point back at something said earlier, or open a question that continues one.
const referringWords = new Set(
  'it its it’s this that these those them they there one ones same again instead too also else another other former latter such'.split(
    ' ',
  ),
);
const shortQuestionWords = 8;
/** How much a follow-up's own words weigh against the question it continues. */
export const followUpWeight = 2;
const continuingOpeners =
  /^(and|but|or|so|then|also|what about|how about|what if|and if|same for|why not|instead)\b/i;

/**
 * A name as code spells it: in backticks, CONSTANT_CASE or snake_case, camelCase, an option
 * (`--force`, `-u`), or a dotted or slashed name (`package.json`, `git-stash`'s `refs/stash`).
 */
const identifier =
  /`[^`]+`|\b[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+\b|\b[a-z]+[A-Z][A-Za-z0-9]*\b|(?:^|\s)--?[a-z][\w-]*|\b\w+[./]\w+/;
const namesIdentifier = (text: string) => identifier.test(text.replace(/[?!.]+\s*$/, ''));

const textOf = (message: Message) =>
  message.content
    .map((part) => (part.type === 'text' ? part.text.value : ''))
    .join('\n')
    .replace(/【[^】]*】/g, '');

/**
 * A message is read as a follow-up when it refers back ("how do I delete it?", "and what about
 * Ctrl+C?") or is short enough to lean on what came before; it then inherits the previous question (itself
 * resolved the same way, so a chain of follow-ups keeps its subject).
 */
export function isFollowUp(text: string): boolean {
  const words = text.toLowerCase().match(/[\p{L}\p{N}’']+/gu) ?? [];
  if (words.length === 0) return false;
  if (continuingOpeners.test(text.trim())) return true;
  if (words.some((word) => referringWords.has(word.replace(/['’]s$/, '')))) return true;
  // A question naming a setting, option, file or command by its name ("What is the MONGODB_DB
  // setting?", "what does --force do?") has its own subject, however short.
  if (namesIdentifier(text)) return false;
  // A short question right after another ("can I see what would be removed first?") most often
  // continues it; a long one names its own subject.
  return words.length <= shortQuestionWords || searchTerms(text).length < 2;
}

export function conversationQuestion(conversation: readonly Message[]): ConversationQuestion {
  const userTurns: Array<{ index: number; text: string }> = [];
  conversation.forEach((message, index) => {
    if (message.role === 'user') userTurns.push({ index, text: textOf(message).trim() });
  });
  const latest = userTurns[userTurns.length - 1];
  if (!latest)
    return {
      focus: '',
      context: null,
      searchQuery: '',
      emphasis: null,
      topicFileIds: [],
      previousAnswer: null,
    };
  const context: string[] = [];
  // Walk back while each turn leans on the one before it (at most three turns of context).
  for (let turn = userTurns.length - 1; turn > 0 && context.length < 3; turn -= 1) {
    const current = userTurns[turn];
    const previous = userTurns[turn - 1];
    if (!current || !previous || !isFollowUp(current.text)) break;
    context.unshift(previous.text);
  }
  const contextText = context.length > 0 ? context.join('\n') : null;
  const topicFileIds =
    contextText === null
      ? []
      : citedFiles(conversation.slice(userTurns[userTurns.length - 2]?.index ?? 0, latest.index));
  return {
    focus: latest.text,
    context: contextText,
    // A follow-up is searched with the question it continues, but what it asks is its own: its
    // words weigh double, so the earlier question's words do not drown them ("And the ones only
    // needed for development?" after "the packages my package needs to run" found
    // `devDependencies` only this way). The weight travels beside the query, which stays as the
    // person wrote it wherever it is shown (the run's search, Responses' `queries`).
    searchQuery: contextText === null ? latest.text : `${contextText}\n${latest.text}`,
    emphasis: contextText === null ? null : { text: latest.text, weight: followUpWeight },
    topicFileIds,
    previousAnswer: contextText === null ? null : lastAnswer(conversation.slice(0, latest.index)),
  };
}

/** The text of the last assistant message, or null. */
function lastAnswer(messages: readonly Message[]): string | null {
  const answer = messages.findLast((message) => message.role === 'assistant');
  return answer ? textOf(answer) : null;
}

function citedFiles(messages: readonly Message[]): string[] {
  const ids = new Set<string>();
  for (const message of messages) {
    if (message.role !== 'assistant') continue;
    for (const part of message.content) {
      if (part.type !== 'text') continue;
      for (const annotation of part.text.annotations) {
        if (annotation.type === 'file_citation') ids.add(annotation.file_citation.file_id);
      }
    }
  }
  return [...ids];
}
