import { describe, expect, it } from 'vitest';
import { ReasoningFilter, type ReasoningPiece } from './reasoning-filter.js';

const split = (deltas: string[]) => {
  const filter = new ReasoningFilter();
  const pieces: ReasoningPiece[] = [...deltas.flatMap((delta) => filter.push(delta)), ...filter.end()];
  const join = (type: ReasoningPiece['type']) =>
    pieces
      .filter((piece) => piece.type === type)
      .map((piece) => piece.text)
      .join('');
  return { answer: join('answer'), reasoning: join('reasoning') };
};

describe('ReasoningFilter', () => {
  it.each<[string, string[], { answer: string; reasoning: string }]>([
    ['no reasoning', ['Meals cost ', '60 euros [1].'], { answer: 'Meals cost 60 euros [1].', reasoning: '' }],
    [
      'a think block first (Qwen3, DeepSeek-R1 without a reasoning parser)',
      ['<think>The user asks about meals.</think>\n\nMeals cost 60 euros [1].'],
      { answer: '\n\nMeals cost 60 euros [1].', reasoning: 'The user asks about meals.' },
    ],
    [
      'tags split across deltas',
      ['<th', 'ink>Looking at source 1', ' [1]…</', 'thi', 'nk>Answer', ' [1].'],
      { answer: 'Answer [1].', reasoning: 'Looking at source 1 [1]…' },
    ],
    ['one character at a time', [...'<think>x</think>y'], { answer: 'y', reasoning: 'x' }],
    [
      'a closing tag with no opening one is dropped',
      ['Answer</think> [1].'],
      { answer: 'Answer [1].', reasoning: '' },
    ],
    [
      'an unfinished think block at the end stays reasoning',
      ['Answer. <think>more thought'],
      { answer: 'Answer. ', reasoning: 'more thought' },
    ],
    [
      'text that only looks like a tag start is released at the end',
      ['a < b and x <th'],
      { answer: 'a < b and x <th', reasoning: '' },
    ],
    [
      'a lone < is answer text once the next delta shows it is no tag',
      ['if a <', ' b then'],
      { answer: 'if a < b then', reasoning: '' },
    ],
  ])('%s', (_name, deltas, expected) => {
    expect(split(deltas)).toEqual(expected);
  });
});
