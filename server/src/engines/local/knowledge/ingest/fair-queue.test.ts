import { describe, expect, it } from 'vitest';
import { FairQueue } from './fair-queue.js';

type Step = ['push' | 'unshift', string, string] | ['shift'];

/** Runs the steps; returns what each shift gave. */
function run(steps: Step[]): (string | undefined)[] {
  const queue = new FairQueue<string>();
  const taken: (string | undefined)[] = [];
  for (const step of steps) {
    if (step[0] === 'shift') taken.push(queue.shift());
    else queue[step[0]](step[1], step[2]);
  }
  return taken;
}

describe('FairQueue', () => {
  it.each<{ name: string; steps: Step[]; taken: (string | undefined)[] }>([
    {
      name: 'a key queued after a long batch is served second, not last',
      steps: [
        ['push', 'big', 'b1'],
        ['push', 'big', 'b2'],
        ['push', 'big', 'b3'],
        ['push', 'small', 's1'],
        ['shift'],
        ['shift'],
        ['shift'],
        ['shift'],
      ],
      taken: ['b1', 's1', 'b2', 'b3'],
    },
    {
      name: 'keys take turns, each in its own order',
      steps: [
        ['push', 'a', 'a1'],
        ['push', 'a', 'a2'],
        ['push', 'b', 'b1'],
        ['push', 'b', 'b2'],
        ['push', 'c', 'c1'],
        ['shift'],
        ['shift'],
        ['shift'],
        ['shift'],
        ['shift'],
      ],
      taken: ['a1', 'b1', 'c1', 'a2', 'b2'],
    },
    {
      name: 'an item put back first in its lane comes next from that lane, after the other keys',
      steps: [
        ['push', 'a', 'a-slice-1'],
        ['push', 'b', 'b1'],
        ['shift'],
        ['unshift', 'a', 'a-slice-2'],
        ['shift'],
        ['shift'],
      ],
      taken: ['a-slice-1', 'b1', 'a-slice-2'],
    },
    {
      name: 'a key that emptied joins at the back when it gets items again',
      steps: [
        ['push', 'a', 'a1'],
        ['push', 'b', 'b1'],
        ['push', 'b', 'b2'],
        ['shift'],
        ['push', 'a', 'a2'],
        ['shift'],
        ['shift'],
        ['shift'],
        ['shift'],
      ],
      taken: ['a1', 'b1', 'a2', 'b2', undefined],
    },
  ])('$name', ({ steps, taken }) => {
    expect(run(steps)).toEqual(taken);
  });

  it('counts, searches and clears across keys', () => {
    const queue = new FairQueue<number>();
    queue.push('a', 1);
    queue.push('b', 2);
    queue.push('b', 3);
    expect(queue.size).toBe(3);
    expect(queue.some((item) => item === 3)).toBe(true);
    expect(queue.some((item) => item === 4)).toBe(false);
    queue.clear();
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
  });
});
