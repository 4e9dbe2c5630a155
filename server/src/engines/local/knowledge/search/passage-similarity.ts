import type { PassageSimilarity, SimilarityScale } from '../../answer/answer-evidence.js';
import type { Embedder } from '../embed/embedder.js';
import type { TextVectorCache } from './text-vector-cache.js';

/**
 * Where all-MiniLM-L6-v2's cosine similarities fall. A property of the model, not of any document
 * set: unrelated sentence pairs score below ~0.2 under it, paraphrases of one intent above ~0.5
 * (the sentence-transformers model card's STS figures); between lies "same topic", where word
 * evidence has to carry the answer.
 * - `answers`: a passage answers a question on meaning alone. At 0.3 a question near the
 *   documents' field ("how do I rebase my branch?" over git-stash(1), 0.43; "publish to PyPI"
 *   over npm's package.json page, 0.42) was answered on topic alone; at 0.5 only one intent in
 *   other words is (`npm run bench:answers`, own-files set).
 * - `unrelated`: below it a passage is about something else, whatever words it shares ("avoid
 *   errors at boot when a device is missing" and fstab's fs_spec paragraph, 0.14).
 */
export const minilmScale: SimilarityScale = { answers: 0.5, unrelated: 0.2 };

/**
 * Questions-to-passages similarity under the knowledge base's model, null without a semantic one.
 * Vectors come from `cache`, which retrieval shares: the question was embedded when it was
 * searched, and a passage once for every turn that weighs it, so a turn over passages seen
 * before costs no model call at all.
 */
export function createPassageSimilarity(embedder: Embedder, cache: TextVectorCache): PassageSimilarity {
  return {
    async score(questions, passages, signal) {
      const model = embedder.current();
      if (!model?.isSemantic || passages.length === 0 || questions.length === 0) return null;
      // At most one model call, for whichever questions and passages are not cached.
      const vectors = await cache.vectorsOf(model, [...questions, ...passages], signal);
      const queries = vectors.slice(0, questions.length);
      const passageVectors = vectors.slice(questions.length);
      return queries.map((query) => passageVectors.map((vector) => dot(query, vector)));
    },
    scale: () => (embedder.current()?.model.startsWith('all-MiniLM-L6-v2') ? minilmScale : null),
  };
}

function dot(left: Float32Array, right: Float32Array): number {
  let total = 0;
  for (let index = 0; index < left.length && index < right.length; index += 1)
    total += (left[index] ?? 0) * (right[index] ?? 0);
  return total;
}
