import { describe, expect, it } from 'vitest';
import { hashEmbedder, type ChunkEmbedder } from '../embed/embedder.js';
import { createTextVectorCache, textVectorKey } from './text-vector-cache.js';

/** The real hashed embedder, with every model call recorded. */
function countingEmbedder(model = 'counted') {
  const calls: string[][] = [];
  const embedder: ChunkEmbedder = {
    ...hashEmbedder,
    model,
    embedTexts(texts) {
      calls.push([...texts]);
      return hashEmbedder.embedTexts(texts);
    },
  };
  return { embedder, calls };
}

describe('textVectorKey', () => {
  it.each([
    ['m', 'a  b\n c ', 'm\u0000a b c'],
    ['m', 'Caf\u0065\u0301', 'm\u0000Caf\u00e9'],
    ['other', 'a b c', 'other\u0000a b c'],
  ])('%s / %j', (model, text, key) => expect(textVectorKey(model, text)).toBe(key));
});

describe('createTextVectorCache', () => {
  it('embeds each text once per model, in one call for the ones it lacks', async () => {
    const cache = createTextVectorCache();
    const { embedder, calls } = countingEmbedder();
    const first = await cache.vectorsOf(embedder, ['how do I stash', 'passage one', 'passage two']);
    const second = await cache.vectorsOf(embedder, ['how  do I stash ', 'passage two', 'passage three']);
    expect(calls).toEqual([['how do I stash', 'passage one', 'passage two'], ['passage three']]);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).toBe(first[2]);
    expect(second[2]).toEqual((await hashEmbedder.embedTexts(['passage three']))[0]);
    const { embedder: otherModel, calls: otherCalls } = countingEmbedder('another-space');
    await cache.vectorsOf(otherModel, ['how do I stash']);
    expect(otherCalls).toEqual([['how do I stash']]);
    expect(cache.embeddedTexts).toBe(5);
  });

  it('shares a text being embedded with a second caller instead of embedding it twice', async () => {
    const cache = createTextVectorCache();
    const { embedder, calls } = countingEmbedder();
    const [left, right] = await Promise.all([
      cache.vectorsOf(embedder, ['same question', 'a']),
      cache.vectorsOf(embedder, ['same question', 'b', 'b']),
    ]);
    expect(calls).toEqual([['same question', 'a'], ['b']]);
    expect(left?.[0]).toBe(right?.[0]);
    expect(right?.[1]).toBe(right?.[2]);
  });

  it('forgets the least recently used text past its capacity', async () => {
    const cache = createTextVectorCache(2);
    const { embedder, calls } = countingEmbedder();
    await cache.vectorsOf(embedder, ['one', 'two']);
    await cache.vectorsOf(embedder, ['one']); // "two" is now the oldest
    await cache.vectorsOf(embedder, ['three']);
    await cache.vectorsOf(embedder, ['one', 'two']);
    expect(calls).toEqual([['one', 'two'], ['three'], ['two']]);
    expect(cache.size).toBe(2);
  });

  it('does not keep a failed call, and an aborted caller stops waiting', async () => {
    const cache = createTextVectorCache();
    let isFailing = true;
    const flaky: ChunkEmbedder = {
      ...hashEmbedder,
      embedTexts: (texts) =>
        isFailing ? Promise.reject(new Error('model gone')) : hashEmbedder.embedTexts(texts),
    };
    await expect(cache.vectorsOf(flaky, ['q'])).rejects.toThrow('model gone');
    isFailing = false;
    await expect(cache.vectorsOf(flaky, ['q'])).resolves.toHaveLength(1);
    const never: ChunkEmbedder = { ...hashEmbedder, model: 'slow', embedTexts: () => new Promise(() => {}) };
    const controller = new AbortController();
    const waiting = cache.vectorsOf(never, ['q'], controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });
  });
});
