import { lightStem, searchTerms } from '../knowledge/search/search-terms.js';

/**
 * What a question asks to do and what it is about. "How do I sign my commits with a GPG key?"
 * asks to *sign*, about *commits*, *GPG*, *key*: a passage that answers it says how to do that
 * to those. The action is the verb a how-to question opens with ("how do I …", "how can I …",
 * "how to …", "is there a way to …"); a documentation may say it in other words ("delete" an
 * entry, "remove" it), so it is matched with the common synonyms of software tasks. Every other
 * term is the topic, which the passage must name in the question's own words.
 */
export type QuestionTopic = {
  /** The action's search term (stemmed), or null when the question asks no how-to. */
  action: string | null;
  /** The other search terms of the question (stemmed, stop words dropped), in its order. */
  topic: string[];
  /**
   * What the action is done to: the head of the noun phrase after it ("sign my *commits* with a
   * GPG key"), or null. Without it the question is about something else.
   */
  object: string | null;
  /**
   * The word right before the object in its noun phrase ("a *zip* file", "a *cron* job"): what
   * kind of it is meant, or null. Only that word, written as one word: an earlier one may be a verb
   * ("make it *ignore* the first line"), and a hyphenated one is several ("a gzip-compressed archive").
   */
  modifier: string | null;
  /**
   * The action's verb as the question writes it (lower case), or null; null too when the question
   * asks a second action ("apply my stash *and remove it*"), which an entry named after the first
   * does not do.
   */
  verb: string | null;
  /**
   * The verb of the second task a question asks, as written (lower case): "compress a file and
   * *keep* the original", where the first is what the tool always does and the second is what the
   * person wants of it. Null when there is none.
   */
  secondVerb: string | null;
  /**
   * What a question asks to stop or avoid doing ("stop tar from *overwriting*", "avoid *overwriting*
   * files"): a passage saying to do it, with no negation, says the opposite. Null otherwise.
   */
  negated: string | null;
  /**
   * The search terms of a phrasal verb its action replaces ("turn" of "turn on", *enable*); empty
   * otherwise.
   */
  phrasalTerms: string[];
};

const howTo =
  /^\s*(?:(?:so|and|but|ok|okay),?\s+)?(?:how\s+(?:do|can|could|should|would|shall|might|may)\s+(?:i|we|you|one)\s+|how\s+to\s+|(?:can|could|may|should)\s+(?:i|we|you)\s+|is\s+(?:there\s+a\s+way|it\s+possible)\s+to\s+|(?:i|we)\s+(?:want|need|would\s+like)\s+to\s+|what(?:'s|\s+is)\s+the\s+(?:best\s+)?way\s+to\s+)(?:(?:also|still|just|then|even|first|(?!(?:ap|re|sup|multi|com)ply\b|rely\b)\p{L}+ly)\s+)?([\p{L}][\p{L}'-]*)/iu;

const phraseEnd =
  /[,.;:?!()]|\s(?:to|with|from|in|on|onto|into|for|of|out|at|by|as|and|or|but|without|like|when|while|if|so|that|which|because|before|after|across|between|over|under|through|via|per|than|instead|using)\s/i;

// "How do I *quickly* list …" puts an adverb before the verb; the verbs that end in -ly ("apply",
// "reply", "supply", "rely", "multiply", "comply") are not adverbs ("how do I apply my stash?"
// read "my" as its verb and had no action).
// Words that close a verb phrase without being what it acts on ("remove it *again*", "get
// them back *later*"): the object is the noun before them, or none.
const trailingAdverbs = new Set(
  'again too also later first back now instead anymore afterwards afterward then already either'
    .split(' ')
    .flatMap((word) => searchTerms(word)),
);

export function questionTopic(question: string): QuestionTopic {
  const match = howTo.exec(question);
  const verb = match?.[1];
  const terms = [...new Set(searchTerms(question))];
  const rest = match ? question.slice(match.index + match[0].length) : '';
  // "Turn on" a feature is to enable it, "switch off" to disable it: the particle says the task.
  const particle = verb && /^(?:turn|switch)$/i.test(verb) ? /^\s*(on|off)\b/i.exec(rest) : null;
  const phrasal = particle?.[1] ? (particle[1].toLowerCase() === 'on' ? 'enable' : 'disable') : null;
  const action = phrasal !== null ? lightStem(phrasal) : verb ? (searchTerms(verb)[0] ?? null) : null;
  const after = particle ? rest.slice(particle[0].length) : rest;
  // The particle stays a word of the question: a setting's value says it ("no or off").
  const phrasalTerms = particle ? searchTerms(verb ?? '') : [];
  // The noun phrase right after the verb, up to a preposition or conjunction; English puts its
  // head last ("my uncommitted *work*", "a single stash *entry*").
  const phrase = after.split(phraseEnd)[0] ?? '';
  const nouns = action
    ? searchTerms(phrase).filter((term) => term !== action && !trailingAdverbs.has(term))
    : [];
  const object = nouns.at(-1) ?? null;
  // The word written right before the object's, when it is a word of the phrase's own (not a
  // determiner, adverb or the verb itself).
  const words = phrase.split(/\s+/).filter((word) => word !== '');
  const before = words.length >= 2 ? searchTerms(words[words.length - 2] ?? '') : [];
  const secondVerb = action ? secondActionVerb(after) : null;
  const modifier =
    object !== null && before.length === 1 && nouns.includes(before[0] ?? '') ? (before[0] ?? null) : null;
  return {
    action,
    topic: terms.filter((term) => term !== action && !phrasalTerms.includes(term)),
    object,
    modifier,
    verb: verb && action && secondVerb === null ? (phrasal ?? verb.toLowerCase()) : null,
    secondVerb,
    negated: action !== null && negatingVerbs.has(action) ? gerundOf(after) : null,
    phrasalTerms,
  };
}

// Verbs people and documentation use for one software task, one group a line. Two verbs are
// synonyms when they share a group. General English of software, not any one document's.
const synonymGroups = [
  'delete remove drop erase clear unset discard purge uninstall prune',
  'create make add new init initialise initialize generate',
  'show display list print view see inspect',
  'change modify update edit alter adjust configure customize set',
  'set specify declare define configure provide give',
  'replace override substitute',
  'undo revert reset rollback',
  'restore recover retrieve reapply apply pop',
  // "Stop it doing X" is "do not X": a manual says the latter ("noauto: do not mount at boot").
  'stop prevent disable avoid refuse block exclude not never',
  'keep preserve retain leave',
  'save store record stash',
  'ignore exclude skip omit',
  'limit restrict',
  'find search locate look',
  'copy clone duplicate',
  'combine merge squash join',
  'send push publish upload',
  'fetch pull download retrieve',
  'connect access reach login',
  'check verify validate test',
  'cancel abort interrupt',
  'close end exit quit terminate',
  'read parse load open',
  'allow permit enable let',
  'hide suppress silence quiet',
  'run execute invoke start launch',
  'rename move',
  'share reuse multiplex',
  'turn switch toggle',
];
const synonyms = new Map<string, Set<string>>();
for (const group of synonymGroups) {
  const stems = group.split(' ').map(lightStem);
  for (const stem of stems) {
    const known = synonyms.get(stem) ?? new Set([stem]);
    for (const other of stems) known.add(other);
    synonyms.set(stem, known);
  }
}

// Verbs too light to name a task ("how do I *get* a random salt?", "*make* it listen"): any
// passage says them as well as any other.
const lightVerbs = new Set(
  ['get', 'make', 'do', 'have', 'use', 'take', 'put', 'go', 'try', 'need'].map(lightStem),
);

const negatingVerbs = new Set(['stop', 'prevent', 'avoid'].map(lightStem));
/** The gerund a stop/avoid question acts on: "tar *from overwriting*", "*overwriting* files". */
function gerundOf(rest: string): string | null {
  const match = /^\s*(\p{L}{3,}ing)\b/iu.exec(rest) ?? /\bfrom\s+(\p{L}{3,}ing)\b/iu.exec(rest);
  return match?.[1] ? lightStem(match[1].toLowerCase()) : null;
}

const secondAction =
  /\band\s+(?:then\s+|also\s+)?([\p{L}]+)\s+(?:(?:to|back|out|off|on|into|from)\s+)?(?:it|them|that|this|the|a|an|my|its|their)\b/iu;

/** The verb of another task a question asks after its first verb ("… and *remove* it"), or null. */
function secondActionVerb(rest: string): string | null {
  const word = secondAction.exec(rest)?.[1]?.toLowerCase();
  return word !== undefined && synonyms.has(lightStem(word)) ? word : null;
}

/** Whether a text's terms (a set of stemmed search terms) say the action, in its words or a synonym's. */
export function coversAction(action: string, words: ReadonlySet<string>): boolean {
  if (lightVerbs.has(action)) return true;
  const forms = synonyms.get(action) ?? new Set([action]);
  for (const form of forms) {
    if (words.has(form)) return true;
    // "depend" and "dependencies", "publish" and "publication": one word, derived.
    if (form.length >= 5) for (const word of words) if (word.startsWith(form)) return true;
  }
  return false;
}
