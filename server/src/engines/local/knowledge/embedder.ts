import OpenAI from 'openai';
import type { Config } from '../../../config.js';
import { embedLocally, localEmbeddingDimensions, normalise } from './local-embedding.js';

/** Turns texts into unit-length vectors; `model` names the vector space so stale vectors are noticed. */
export interface Embedder {
  readonly model: string;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]>;
}

const batchSize = 64;

export function createEmbedder(config: Config, fetchImplementation?: typeof fetch): Embedder {
  if (config.EMBEDDINGS_BASE_URL === undefined) {
    return {
      model: `local-hash-${localEmbeddingDimensions}`,
      embed: (texts) => Promise.resolve(texts.map((text) => embedLocally(text))),
    };
  }
  const client = new OpenAI({
    baseURL: config.EMBEDDINGS_BASE_URL,
    apiKey: config.EMBEDDINGS_API_KEY ?? 'not-needed',
    maxRetries: 2,
    ...(fetchImplementation ? { fetch: fetchImplementation } : {}),
  });
  const model = config.EMBEDDINGS_MODEL;
  return {
    model,
    async embed(texts, signal) {
      const vectors: Float32Array[] = [];
      for (let index = 0; index < texts.length; index += batchSize) {
        const batch = texts.slice(index, index + batchSize);
        const response = await client.embeddings.create(
          { model, input: batch, encoding_format: 'float' },
          signal ? { signal } : {},
        );
        const ordered = [...response.data].sort((left, right) => left.index - right.index);
        for (const item of ordered) vectors.push(normalise(Float32Array.from(item.embedding)));
      }
      return vectors;
    },
  };
}
