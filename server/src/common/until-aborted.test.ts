import { describe, expect, it } from 'vitest';
import { untilAborted } from './until-aborted.js';

/** Yields the given values, then never settles again (like a mocked body after a cancel). */
function stalled<T>(values: T[]) {
  const state = { isClosed: false };
  const source: AsyncIterable<T> = {
    [Symbol.asyncIterator]: () => {
      let position = 0;
      return {
        next: () =>
          position < values.length
            ? Promise.resolve({ done: false as const, value: values[position++] as T })
            : new Promise<IteratorResult<T>>(() => undefined),
        return: () => {
          state.isClosed = true;
          return Promise.resolve({ done: true as const, value: undefined });
        },
      };
    },
  };
  return { source, state };
}

describe('untilAborted', () => {
  it('passes values through and ends with the source', async () => {
    async function* three() {
      yield* [1, 2, 3];
    }
    const seen: number[] = [];
    for await (const value of untilAborted(three(), new AbortController().signal)) seen.push(value);
    expect(seen).toEqual([1, 2, 3]);
  });

  it('stops a stalled read as soon as the signal aborts and closes the source', async () => {
    const { source, state } = stalled(['a', 'b']);
    const controller = new AbortController();
    const seen: string[] = [];
    setTimeout(() => controller.abort(), 20);
    for await (const value of untilAborted(source, controller.signal)) seen.push(value);
    expect(seen).toEqual(['a', 'b']);
    expect(state.isClosed).toBe(true);
  });

  it('yields nothing when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const seen: string[] = [];
    for await (const value of untilAborted(stalled(['a']).source, controller.signal)) seen.push(value);
    expect(seen).toEqual([]);
  });

  it('propagates a failing read', async () => {
    async function* failing() {
      yield 1;
      throw new Error('connection reset');
    }
    const seen: number[] = [];
    await expect(async () => {
      for await (const value of untilAborted(failing(), new AbortController().signal)) seen.push(value);
    }).rejects.toThrow('connection reset');
    expect(seen).toEqual([1]);
  });
});
