import type { TermStatistics } from '../knowledge/search/term-statistics.js';
import type { AnswerInput } from './answer-piece.js';
import { conversationQuestion } from './conversation-question.js';
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
   * The similarity at which a passage answers a question on meaning alone, for this model; null
   * when the model's scale is unknown (an embeddings endpoint), so only word evidence can answer.
   */
  answerFloor(): number | null;
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
};

const maxScoredBySimilarity = 8;
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
    termStatistics: evidence.termStatistics,
  });
  // Meaning is weighed only where words fall short: embedding passages costs a model call
  // (~30 ms a passage on 2 busy cores), and a question the words already answer needs none.
  // A follow-up's own words are mostly everyday ones ("how do I get out of it?"), so the
  // passages of its topic are always re-ranked by what it means ("--abort: stop the rebase").
  const isFollowUp = question.context !== null;
  const similarity = isFollowUp
    ? await rerankByMeaning(
        selection,
        { rankBy: focus, answerBy: question.searchQuery },
        maxScoredForFollowUp,
        evidence,
        input.signal,
      )
    : selection.coverage < minimumCoverage
      ? await rerankByMeaning(
          selection,
          { rankBy: focus, answerBy: focus },
          maxScoredBySimilarity,
          evidence,
          input.signal,
        )
      : null;
  const floor = evidence.similarity?.answerFloor() ?? null;
  const isAnswered =
    selection.coverage >= minimumCoverage || (floor !== null && similarity !== null && similarity >= floor);
  return { selection, chosen: isAnswered ? answerPassages(selection, input.hits) : [], similarity };
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
  candidates.forEach((item, index) => (item.score += ranking[index] ?? 0));
  selection.passages = [
    ...candidates.sort((left, right) => right.score - left.score),
    ...selection.passages.slice(count),
  ];
  return Math.max(0, ...answering);
}
