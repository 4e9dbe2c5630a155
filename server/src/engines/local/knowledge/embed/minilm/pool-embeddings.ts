/**
 * Sentence-transformers pooling for all-MiniLM-L6-v2: the mean of the token vectors the
 * attention mask keeps (padding excluded), scaled to unit length so a dot product is a cosine.
 * `hidden` is the model's `last_hidden_state`, `[batch, sequence, dimensions]` flattened.
 */
export function poolEmbeddings(
  hidden: Float32Array,
  lengths: readonly number[],
  sequenceLength: number,
  dimensions: number,
): Float32Array[] {
  return lengths.map((length, item) => {
    const vector = new Float32Array(dimensions);
    const base = item * sequenceLength * dimensions;
    for (let token = 0; token < length; token += 1) {
      const offset = base + token * dimensions;
      for (let dimension = 0; dimension < dimensions; dimension += 1)
        vector[dimension] = (vector[dimension] ?? 0) + (hidden[offset + dimension] ?? 0);
    }
    let norm = 0;
    for (const value of vector) norm += value * value;
    // Dividing by the token count first would not change the direction; only the norm matters.
    norm = Math.sqrt(norm);
    if (norm > 0)
      for (let dimension = 0; dimension < dimensions; dimension += 1)
        vector[dimension] = (vector[dimension] ?? 0) / norm;
    return vector;
  });
}

/**
 * Splits a passage's word pieces into the fewest windows of at most `windowSize` pieces, all of
 * about the same length and not overlapping: the model (which reads at most 256 tokens) then sees
 * every piece once, and no window is a short scrap with little to go on.
 */
export function windowPieces(pieces: readonly number[], windowSize: number): number[][] {
  const count = Math.max(1, Math.ceil(pieces.length / windowSize));
  const windows: number[][] = [];
  for (let index = 0; index < count; index += 1) {
    const start = Math.round((index * pieces.length) / count);
    const end = Math.round(((index + 1) * pieces.length) / count);
    windows.push(pieces.slice(start, end));
  }
  return windows;
}
