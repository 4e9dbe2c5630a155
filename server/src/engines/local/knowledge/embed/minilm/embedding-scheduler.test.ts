import { describe, expect, it } from 'vitest';
import { EmbeddingScheduler, type EmbeddingLane } from './embedding-scheduler.js';

/** Workers that finish a piece only when the test says so, recording what started where. */
function heldWorkers() {
  const started: { worker: number; work: string }[] = [];
  const finishers = new Map<string, () => void>();
  const run = (worker: number, work: string) =>
    new Promise<string>((resolve) => {
      started.push({ worker, work });
      finishers.set(work, () => resolve(work));
    });
  const finish = async (work: string) => {
    finishers.get(work)?.();
    // Let the scheduler hand the freed worker its next piece.
    for (let turn = 0; turn < 5; turn += 1) await Promise.resolve();
  };
  return { started, finish, run };
}

describe('EmbeddingScheduler', () => {
  it.each<{
    name: string;
    workers: number;
    submit: [string, EmbeddingLane][];
    finish: string[];
    order: string[];
  }>([
    {
      name: 'a query submitted behind a backlog starts at the next free worker',
      workers: 1,
      submit: [
        ['b1', 'backlog'],
        ['b2', 'backlog'],
        ['b3', 'backlog'],
        ['q1', 'query'],
      ],
      finish: ['b1', 'q1', 'b2'],
      order: ['b1', 'q1', 'b2', 'b3'],
    },
    {
      name: 'queries keep their own order, ahead of the backlog',
      workers: 1,
      submit: [
        ['b1', 'backlog'],
        ['b2', 'backlog'],
        ['q1', 'query'],
        ['q2', 'query'],
      ],
      finish: ['b1', 'q1', 'q2'],
      order: ['b1', 'q1', 'q2', 'b2'],
    },
    {
      name: 'every worker takes a piece; a query takes the first one freed',
      workers: 2,
      submit: [
        ['b1', 'backlog'],
        ['b2', 'backlog'],
        ['b3', 'backlog'],
        ['q1', 'query'],
      ],
      finish: ['b2'],
      order: ['b1', 'b2', 'q1'],
    },
  ])('$name', async ({ workers, submit, finish, order }) => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler(workers, held.run);
    for (const [work, lane] of submit) void scheduler.submit(work, lane);
    for (const work of finish) await held.finish(work);
    expect(held.started.map((entry) => entry.work)).toEqual(order);
  });

  it('keeps a query-only worker for questions: the backlog never occupies it', async () => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler([['query'], ['query', 'backlog']], held.run);
    for (const work of ['b1', 'b2']) void scheduler.submit(work, 'backlog');
    void scheduler.submit('q1', 'query');
    // The backlog waits for worker 1 while worker 0 stays free for the question.
    expect(held.started).toEqual([
      { worker: 1, work: 'b1' },
      { worker: 0, work: 'q1' },
    ]);
    void scheduler.submit('q2', 'query');
    await held.finish('b1');
    // Worker 1 takes questions too, first, when the query worker is busy.
    expect(held.started.slice(2)).toEqual([{ worker: 1, work: 'q2' }]);
    await held.finish('q2');
    expect(held.started.slice(3)).toEqual([{ worker: 1, work: 'b2' }]);
  });

  it('runs a piece on the worker that is free', async () => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler(2, held.run);
    const results = ['a', 'b', 'c'].map((work) => scheduler.submit(work, 'backlog'));
    await held.finish('b');
    expect(held.started).toEqual([
      { worker: 0, work: 'a' },
      { worker: 1, work: 'b' },
      { worker: 1, work: 'c' },
    ]);
    await held.finish('a');
    await held.finish('c');
    expect(await Promise.all(results)).toEqual(['a', 'b', 'c']);
  });

  it('rejects the pieces not started when cleared, and reports what waits', async () => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler(1, held.run);
    const first = scheduler.submit('a', 'backlog');
    const second = scheduler.submit('b', 'backlog');
    const query = scheduler.submit('q', 'query');
    expect(scheduler.waiting).toEqual({ query: 1, backlog: 1 });
    scheduler.clear(new Error('closed'));
    await expect(second).rejects.toThrow('closed');
    await expect(query).rejects.toThrow('closed');
    await held.finish('a');
    expect(await first).toBe('a');
  });

  it('with a backlog depth of 2, queues a next piece at each backlog worker, spread first', async () => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler(
      [['query'], ['query', 'backlog'], ['query', 'backlog']],
      held.run,
      {
        backlogDepth: 2,
      },
    );
    for (const work of ['b1', 'b2', 'b3', 'b4', 'b5']) void scheduler.submit(work, 'backlog');
    // One each before a second each; the query-only worker takes none.
    expect(held.started).toEqual([
      { worker: 1, work: 'b1' },
      { worker: 2, work: 'b2' },
      { worker: 1, work: 'b3' },
      { worker: 2, work: 'b4' },
    ]);
    void scheduler.submit('q1', 'query');
    void scheduler.submit('q2', 'query');
    // The query worker takes one question at once (it holds one at a time) ...
    expect(held.started.slice(4)).toEqual([{ worker: 0, work: 'q1' }]);
    await held.finish('b1');
    // ... and the next question is not queued behind b3 at the backlog worker that finished b1
    // (it would wait for b3, then run at the backlog's priority): that worker takes the backlog,
    expect(held.started.slice(5)).toEqual([{ worker: 1, work: 'b5' }]);
    await held.finish('b3');
    expect(held.started).toHaveLength(6);
    // ... and the question starts on the first worker freed, here the query worker.
    await held.finish('q1');
    expect(held.started.slice(6)).toEqual([{ worker: 0, work: 'q2' }]);
  });

  it('gives a question to an idle backlog worker when the query workers are busy', async () => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler([['query'], ['query', 'backlog']], held.run, {
      backlogDepth: 2,
    });
    void scheduler.submit('q1', 'query');
    void scheduler.submit('q2', 'query');
    expect(held.started).toEqual([
      { worker: 0, work: 'q1' },
      { worker: 1, work: 'q2' },
    ]);
  });

  it('counts the idle workers kept for queries alone (what a question may be split over)', async () => {
    const held = heldWorkers();
    const scheduler = new EmbeddingScheduler([['query'], ['query'], ['query', 'backlog']], held.run);
    // The backlog worker is idle too, but it is not one the question may count on.
    expect(scheduler.idleDedicatedWorkers('query')).toBe(2);
    void scheduler.submit('q1', 'query');
    expect(scheduler.idleDedicatedWorkers('query')).toBe(1);
    void scheduler.submit('q2', 'query');
    void scheduler.submit('q3', 'query');
    void scheduler.submit('q4', 'query');
    // Both query workers and the shared one busy, and a question waiting: none.
    expect(scheduler.idleDedicatedWorkers('query')).toBe(0);
    await held.finish('q1');
    await held.finish('q2');
    await held.finish('q3');
    await held.finish('q4');
    expect(scheduler.idleDedicatedWorkers('query')).toBe(2);
  });
});
