import { describe, expect, it } from 'vitest';
import { functionCallDeltas } from './tool-call-deltas.js';

describe('functionCallDeltas', () => {
  it.each<[string, number, string, string[]]>([
    ['empty arguments: the opening delta only', 0, '', ['']],
    ['short arguments: opening delta, then all of them', 1, '{"city":"Oslo"}', ['', '{"city":"Oslo"}']],
    ['long arguments in 64-character pieces', 0, 'x'.repeat(130), ['', 'x'.repeat(64), 'x'.repeat(64), 'xx']],
  ])('%s', (_name, index, callArguments, pieces) => {
    const deltas = functionCallDeltas(index, callArguments);
    expect(deltas.map((delta) => delta.function?.arguments)).toEqual(pieces);
    expect(deltas.every((delta) => delta.index === index && delta.type === 'function')).toBe(true);
    expect(deltas.some((delta) => delta.id !== undefined || delta.function?.name !== undefined)).toBe(false);
    expect(deltas.map((delta) => delta.function?.arguments).join('')).toBe(callArguments);
  });
});
