import type { ChunkEmbedder } from '../embed/embedder.js';

/** Vectors of short texts embedded as queries (questions, answer passages), by model and text. */
export type TextVectorCache = {
  /**
   * One unit vector per text, in order. Texts seen before under the same model (within the
   * cache's capacity) cost nothing; the rest are embedded together in one model call, and a
   * text another caller is already embedding is awaited, not embedded twice.
   */
  vectorsOf(model: ChunkEmbedder, texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /** Texts sent to a model since start (for tests and benchmarks). */
  readonly embeddedTexts: number;
  readonly size: number;
};

/**
 * 384-d MiniLM vectors are 1.5 KB: 8,192 of them (~12 MB) hold every question and passage of a
 * few hundred busy conversations, where one model call costs 20–40 ms of the one embedding thread.
 */
export const defaultTextVectorCapacity = 8192;

/** The cache key: the model's vector space and the text as a model reads it (whitespace runs are one space). */
export const textVectorKey = (model: string, text: string): string =>
  `${model}\u0000${text.normalize('NFC').replace(/\s+/g, ' ').trim()}`;

/**
 * Least-recently-used cache of query-style vectors. Under load the same questions and the same
 * passages of the popular documents come back turn after turn, and each model call waits its
 * turn on one embedding thread, so reuse is what keeps an answer turn's latency flat.
 */
export function createTextVectorCache(capacity = defaultTextVectorCapacity): TextVectorCache {
  const vectors = new Map<string, Float32Array>();
  const pending = new Map<string, Promise<Float32Array>>();
  let embeddedTexts = 0;

  const remember = (key: string, vector: Float32Array) => {
    vectors.delete(key);
    vectors.set(key, vector);
    while (vectors.size > capacity) {
      const oldest = vectors.keys().next();
      if (oldest.done) break;
      vectors.delete(oldest.value);
    }
  };

  return {
    get embeddedTexts() {
      return embeddedTexts;
    },
    get size() {
      return vectors.size;
    },
    async vectorsOf(model, texts, signal) {
      const keys = texts.map((text) => textVectorKey(model.model, text));
      const missing = new Map<string, string>();
      for (const [index, key] of keys.entries()) {
        const cached = vectors.get(key);
        if (cached) remember(key, cached);
        else if (!pending.has(key) && !missing.has(key)) missing.set(key, texts[index] ?? '');
      }
      if (missing.size > 0) {
        embeddedTexts += missing.size;
        // Not tied to this caller's signal: another turn may be waiting for the same texts, and
        // a finished vector is worth keeping.
        const batch = model.embedTexts([...missing.values()]);
        batch.catch(() => {});
        for (const [position, key] of [...missing.keys()].entries()) {
          const one = batch.then((all) => all[position] ?? new Float32Array(0));
          pending.set(key, one);
          one.then(
            (vector) => {
              pending.delete(key);
              remember(key, vector);
            },
            () => pending.delete(key),
          );
        }
      }
      const results = Promise.all(
        keys.map(
          (key): Promise<Float32Array> =>
            pending.get(key) ?? Promise.resolve(vectors.get(key) ?? new Float32Array(0)),
        ),
      );
      return signal ? untilSettledOrAborted(results, signal) : results;
    },
  };
}

function untilSettledOrAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

const abortReason = (signal: AbortSignal): Error =>
  signal.reason instanceof Error
    ? signal.reason
    : new DOMException('This operation was aborted', 'AbortError');
