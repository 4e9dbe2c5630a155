import { searchTerms } from '../search/search-terms.js';

export const localEmbeddingDimensions = 256;

const trigramWeight = 0.5;

/**
 * A model-free embedding: word terms and character trigrams of each word, feature-hashed into
 * a fixed number of dimensions with log-scaled counts, L2-normalised. It captures word
 * overlap and morphology (`rebasing` ~ `rebase`) but no meaning; it is the offline fallback
 * when no embeddings endpoint is configured. Hashing runs over char codes (no substring
 * allocation) because ingestion embeds every chunk.
 */
export function embedLocally(text: string, dimensions = localEmbeddingDimensions): Float32Array {
  const sums = new Float64Array(dimensions);
  const add = (hash: number, weight: number) => {
    // The sign bit spreads collisions around zero instead of piling them up.
    sums[hash % dimensions] = (sums[hash % dimensions] ?? 0) + (hash >>> 31 === 1 ? -weight : weight);
  };
  for (const term of searchTerms(text)) {
    add(hashWord(term), 1);
    // Trigrams of `^term$`: boundaries mark prefixes and suffixes.
    const length = term.length + 2;
    for (let index = 0; index + 3 <= length; index += 1) {
      add(hashTrigram(charAt(term, index - 1), charAt(term, index), charAt(term, index + 1)), trigramWeight);
    }
  }
  const vector = new Float32Array(dimensions);
  for (let index = 0; index < dimensions; index += 1) {
    const value = sums[index] ?? 0;
    vector[index] = Math.sign(value) * Math.log1p(Math.abs(value));
  }
  return normaliseVector(vector);
}

export function normaliseVector(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  norm = Math.sqrt(norm);
  if (norm > 0)
    for (let index = 0; index < vector.length; index += 1) vector[index] = (vector[index] ?? 0) / norm;
  return vector;
}

const boundary = 0x5e; // '^' and '$' are never inside a term, one code marks both ends
const charAt = (term: string, index: number) =>
  index < 0 || index >= term.length ? boundary : term.charCodeAt(index);

const offsetBasis = 0x811c9dc5;
const prime = 0x01000193;

function hashWord(term: string): number {
  let hash = Math.imul(offsetBasis ^ 0x77, prime); // 'w' namespace
  for (let index = 0; index < term.length; index += 1) hash = Math.imul(hash ^ term.charCodeAt(index), prime);
  return hash >>> 0;
}

function hashTrigram(first: number, second: number, third: number): number {
  let hash = Math.imul(offsetBasis ^ 0x63, prime); // 'c' namespace
  hash = Math.imul(hash ^ first, prime);
  hash = Math.imul(hash ^ second, prime);
  hash = Math.imul(hash ^ third, prime);
  return hash >>> 0;
}
