import type { TermStatistics } from '../knowledge/search/term-statistics.js';
import type { AnswerInput } from './answer-piece.js';
import { conversationQuestion } from './conversation-question.js';
import { weightedText } from '../knowledge/search/weighted-query.js';
import { searchTerms, wordPattern } from '../knowledge/search/search-terms.js';
import { passagePlainText } from './passage-blocks.js';
import {
  answerPassages,
  minimumCoverage,
  selectPassages,
  type ScoredPassage,
  type Selection,
} from './passage-selection.js';

/** Similarity of a question to passages under the knowledge base's sentence-embedding model. */
export type PassageSimilarity = {
  /**
   * Cosine similarity of each question to each passage (one row per question), or null when no
   * semantic model is running.
   */
  score(
    questions: readonly string[],
    passages: readonly string[],
    signal?: AbortSignal,
  ): Promise<number[][] | null>;
  /**
   * Where this model's similarities fall (see `minilmScale`); null when its scale is unknown (an
   * embeddings endpoint), so only word evidence can answer.
   */
  scale(): SimilarityScale | null;
};

export type SimilarityScale = {
  /** At or above it, a passage answers a question on meaning alone. */
  answers: number;
  /** Below it, a passage is about something else than the question. */
  unrelated: number;
};

/** What the answerers weigh evidence with: term rarity and, when a model runs, meaning. */
export type AnswerEvidence = {
  termStatistics?: TermStatistics | undefined;
  similarity?: PassageSimilarity | undefined;
};

export type FoundAnswer = {
  selection: Selection;
  /** The passages to answer with; empty when the documents do not answer the question. */
  chosen: ScoredPassage[];
  /** Best similarity of a passage to the question, when a semantic model ran. */
  similarity: number | null;
  /**
   * When the documents do not answer: what the question is about that no document mentions, as
   * the question writes it ("PyPI", "risotto"), so the refusal can say what was not found.
   */
  unmentioned: string[];
};

const maxScoredBySimilarity = 8;
/**
 * The least share of a question's distinctive words a passage answering it on meaning alone must
 * say. At MiniLM's `answers` similarity (0.5) a passage of the same field reads as the same intent
 * often enough: path.format's example (0.51, "dir", "base") for "How do I list the files in a
 * directory in Node.js?", which it says none of (0.01). Measured with `npm run bench:answers`
 * (MiniLM, ten sets): held-out refused 0.94 → 1.00, unseen 0.80 → 0.85, Git paraphrases one fewer
 * ("who is responsible for each row of a source file" is `git blame` in no shared word), every
 * other figure unchanged; on the probe sets two near-topic questions more refused and one wrong
 * answer refused, none lost. At 0.05 only unseen's refusal; at 0.3 held-out, judge, manuals and
 * own-files lost answers.
 */
const meaningCoverageFloor = 0.1;
/**
 * A follow-up's topic is the conversation's; meaning only has to keep to it ("same topic" under
 * the model: see passage-similarity.ts).
 */
const followUpFloor = 0.3;
const maxScoredForFollowUp = 12;
const maxSimilarityCharacters = 300;

/**
 * Finds the passages that answer the latest question of a conversation. Word evidence ranks the
 * passages of the top hits; when it falls short and a semantic model runs, the model re-ranks
 * the best of them by meaning, so a question asked in other words than the documents use still
 * finds its passage.
 * The documents answer when one passage covers enough of the question's distinctive words, or
 * comes close enough to its meaning.
 */
export async function findAnswer(input: AnswerInput, evidence: AnswerEvidence = {}): Promise<FoundAnswer> {
  const question = conversationQuestion(input.conversation);
  const focus = question.focus === '' ? input.query : question.focus;
  const selection = selectPassages({
    focus,
    context: question.context,
    hits: input.hits,
    topicFileIds: question.topicFileIds,
    previousAnswer: question.previousAnswer,
    termStatistics: evidence.termStatistics,
  });
  const refused = { selection, chosen: [], similarity: null, unmentioned: [] };
  // A question naming something the documents never mention ("publish to PyPI", "install
  // Docker") is not theirs to answer, whatever else it shares with them.
  if (selection.unknownTerms.length > 0)
    return { ...refused, unmentioned: wordsAsWritten(focus, selection.unknownTerms) };
  const scale = evidence.similarity?.scale() ?? null;
  if (question.context !== null) {
    // A follow-up continues a conversation whose topic is settled: its own words are mostly
    // everyday ones ("how do I get out of it?"), so the passages of its topic are always
    // re-ranked by what it means ("--abort: stop the rebase"), and being on that topic is enough.
    const similarity = await rerankByMeaning(
      selection,
      { rankBy: focus, answerBy: weightedText(question.searchQuery, question.emphasis) },
      maxScoredForFollowUp,
      evidence,
      input.signal,
    );
    const isAnswered =
      selection.coverage >= minimumCoverage ||
      (scale !== null && similarity !== null && similarity >= followUpFloor);
    preferWhatItMeans(selection, scale);
    const chosen = isAnswered ? answerPassages(selection, input.hits) : [];
    return { selection, chosen, similarity, unmentioned: [] };
  }
  const objectKnown = objectInFile(selection, input.hits, evidence);
  // A passage of a file that never says a name the question writes is about something else:
  // resolv.conf(5) for "how do I change my DNS server on Windows?", where only Node's path page
  // says Windows, or npm's `overrides` for "pin a package to an older version with APT". As a
  // name no document uses refuses the question, one its answer's own file does not use refuses
  // that answer.
  selection.passages = selection.passages.filter(namesInFile(selection, input.hits, evidence));
  // The words answer when a passage covers enough of what is distinctive in the question, says
  // what it asks to do, and names (or its file does) what that is done to.
  const wordsAnswer = (item: ScoredPassage) =>
    item.coverage >= minimumCoverage && item.hasAction && objectKnown(item) === 'known';
  // Meaning is weighed only where words fall short: embedding passages costs a model call
  // (~30 ms a passage on 2 busy cores), and a question the words already answer needs none.
  const best = selection.passages[0];
  const similarity =
    !best || !wordsAnswer(best)
      ? await rerankByMeaning(
          selection,
          { rankBy: focus, answerBy: focus },
          maxScoredBySimilarity,
          evidence,
          input.signal,
        )
      : null;
  // Meaning alone answers at a similarity the model gives to one intent said in other words; what
  // the question acts on must still be known where the answer comes from, and the passage must say
  // some of what the question is about in its words.
  const meaningAnswers = (item: ScoredPassage) =>
    scale !== null &&
    item.similarity !== undefined &&
    item.similarity >= scale.answers &&
    item.coverage >= meaningCoverageFloor &&
    objectKnown(item) !== 'elsewhere';
  // Once meaning is weighed, a passage it finds unrelated does not answer on the words it shares
  // (fstab's fs_spec paragraph, 0.14, for "avoid errors at boot when a device is missing", where
  // the `nofail` entry says it in other words).
  const isUnrelated = (item: ScoredPassage) =>
    scale !== null && item.similarity !== undefined && item.similarity < scale.unrelated;
  // Full evidence first: a passage that says what the question asks in its words, then one
  // that means it.
  const answering =
    selection.passages.find((item) => wordsAnswer(item) && !isUnrelated(item)) ??
    selection.passages.find(meaningAnswers);
  if (!answering)
    return { ...refused, similarity, unmentioned: unmentionedObject(selection, focus, evidence) };
  selection.passages = [answering, ...selection.passages.filter((item) => item !== answering)];
  return { selection, chosen: answerPassages(selection, input.hits), similarity, unmentioned: [] };
}

/**
 * A follow-up's few words ("what happens if I don't list any?") can favour a passage that only
 * shares them: when meaning finds the words' choice barely on the conversation's topic (below
 * `followUpFloor`) and finds another passage answering it (at or above the scale's `answers`),
 * the passage it means comes first. After "How do I list the name servers the resolver should
 * use?", resolv.conf's `single-request` option (similarity 0.25, "by default … lookups") gave way
 * to the `nameserver` entry (0.71, "the default is to use the name server on the local machine").
 * Measured with `npm run bench:answers` (MiniLM): follow-ups own-files 0.83 → 1.00, unseen
 * 0.60 → 0.80, every other figure of the eight sets unchanged.
 */
function preferWhatItMeans(selection: Selection, scale: SimilarityScale | null): void {
  const [best] = selection.passages;
  if (scale === null || best?.similarity === undefined || best.similarity >= followUpFloor) return;
  const meant = selection.passages.reduce<ScoredPassage | undefined>(
    (top, item) => ((item.similarity ?? 0) > (top?.similarity ?? scale.answers) ? item : top),
    undefined,
  );
  if (meant) selection.passages = [meant, ...selection.passages.filter((item) => item !== meant)];
}

/**
 * What a refused question acts on, when no document mentions it in any form ("how do I cook a
 * risotto?"): the documents were searched for it and it is not there, which the refusal can say.
 */
function unmentionedObject(selection: Selection, focus: string, evidence: AnswerEvidence): string[] {
  const { object } = selection;
  const statistics = evidence.termStatistics;
  if (object === null || !statistics) return [];
  return statistics.weights([object]).get(object)?.isKnown === false ? wordsAsWritten(focus, [object]) : [];
}

/** The words of `text` as written that stand for one of `terms` ("PyPI" for `pypi`), each once. */
function wordsAsWritten(text: string, terms: readonly string[]): string[] {
  const wanted = new Set(terms);
  const found = new Map<string, string>();
  for (const [word] of text.matchAll(wordPattern)) {
    const key = word.toLowerCase();
    if (!found.has(key) && searchTerms(word).some((term) => wanted.has(term))) found.set(key, word);
  }
  return [...found.values()];
}

/**
 * Where the thing the question acts on is known, seen from a passage: `known` when the passage
 * or its file names it; `elsewhere` when only other files do ("sign my commits with a GPG key"
 * against an APT page that signs repositories with keys: the page is about something else);
 * `unknown` when no document names it ("cook a risotto"), so words cannot vouch for the answer
 * and only meaning can.
 */
function objectInFile(
  selection: Selection,
  hits: AnswerInput['hits'],
  evidence: AnswerEvidence,
): (item: ScoredPassage) => 'known' | 'elsewhere' | 'unknown' {
  const { object } = selection;
  const statistics = evidence.termStatistics;
  if (object === null || !statistics) return () => 'known';
  const isUsed = (statistics.weights([object]).get(object)?.chunks ?? 0) > 0;
  const saysObject = fileSaysAll([object], hits, statistics);
  return (item) => {
    if (item.hasObject) return 'known';
    if (!isUsed) return 'unknown';
    return saysObject(item) ? 'known' : 'elsewhere';
  };
}

/** Whether a passage's file says every name the question writes that the knowledge base uses. */
function namesInFile(
  selection: Selection,
  hits: AnswerInput['hits'],
  evidence: AnswerEvidence,
): (item: ScoredPassage) => boolean {
  const statistics = evidence.termStatistics;
  const names = selection.knownNames;
  if (!statistics || names.length === 0) return () => true;
  return fileSaysAll(names, hits, statistics);
}

/**
 * Whether the file a passage comes from says every one of `terms` (asked of the index once per
 * file; a passage whose hit is unknown counts as saying them).
 */
function fileSaysAll(
  terms: readonly string[],
  hits: AnswerInput['hits'],
  statistics: TermStatistics,
): (item: ScoredPassage) => boolean {
  const wanted = new Set(terms).size;
  const byFile = new Map<string, boolean>();
  return (item) => {
    const fileId = hits[item.source]?.fileId;
    if (fileId === undefined) return true;
    let says = byFile.get(fileId);
    if (says === undefined) {
      says = statistics.inFile(fileId, terms).size === wanted;
      byFile.set(fileId, says);
    }
    return says;
  };
}

/**
 * Re-ranks the best `count` passages by words and meaning alike (the passage both agree on wins)
 * and answers the best similarity to `answerBy`: a follow-up ranks on its own words but is
 * answerable as the whole question it continues.
 */
async function rerankByMeaning(
  selection: Selection,
  question: { rankBy: string; answerBy: string },
  count: number,
  evidence: AnswerEvidence,
  signal: AbortSignal,
): Promise<number | null> {
  if (!evidence.similarity || selection.passages.length === 0) return null;
  const candidates = selection.passages.slice(0, count);
  const questions =
    question.rankBy === question.answerBy ? [question.rankBy] : [question.rankBy, question.answerBy];
  const scores = await evidence.similarity.score(
    questions,
    candidates.map((item) => passagePlainText(item.passage, item.blocks).slice(0, maxSimilarityCharacters)),
    signal,
  );
  const [ranking, answering = ranking] = scores ?? [];
  if (!ranking || !answering) return null;
  candidates.forEach((item, index) => {
    item.score += ranking[index] ?? 0;
    item.similarity = answering[index] ?? 0;
  });
  selection.passages = [
    ...candidates.sort((left, right) => right.score - left.score),
    ...selection.passages.slice(count),
  ];
  return Math.max(0, ...answering);
}
