import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MinilmWorkerPool } from '../../../../src/engines/local/knowledge/embed/minilm/minilm-worker-pool.js';
import { isModelTestSkipped, testModelDir } from '../../../helpers/embedding-model.js';

const vocabularyPath = fileURLToPath(
  new URL('../../../../src/engines/local/knowledge/embed/minilm/vocab.txt', import.meta.url),
);

/** ~250 word pieces: two windows of 128. */
const passage = (index: number) => ({
  context: 'guide.md',
  text: Array.from(
    { length: 20 },
    (_, sentence) =>
      `Paragraph ${index} sentence ${sentence} explains configuration option ${index * 20 + sentence}.`,
  ).join(' '),
});

describe.skipIf(isModelTestSkipped)('all-MiniLM-L6-v2 worker pool: questions before the backlog', () => {
  let pool: MinilmWorkerPool;

  beforeAll(async () => {
    pool = new MinilmWorkerPool(
      { modelPath: join(testModelDir ?? '', 'model.onnx'), vocabularyPath, intraOpThreads: 1, niceness: 10 },
      2,
    );
    await pool.ready;
  });
  afterAll(async () => {
    await pool?.close();
  });

  it('has every worker, query and backlog, run a model call before the pool is ready', () => {
    // Two query workers on this machine's cores (one on a single core) plus the two backlog ones.
    expect(pool.warmUpMs.length).toBeGreaterThanOrEqual(3);
    // A real model call took place in each (a fresh session's first is the slow one).
    expect(pool.warmUpMs.every((milliseconds) => milliseconds > 0)).toBe(true);
  });

  it('serves a query embedding asked during a large backlog before the backlog finishes', async () => {
    const total = 60;
    let passagesDone = 0;
    const backlog = Array.from({ length: total }, (_, index) =>
      pool.embedPassages([passage(index)], 128, 16, 'backlog').then((vectors) => {
        passagesDone += 1;
        return vectors;
      }),
    );
    // The pool is busy with the backlog's first pieces when the question comes.
    await new Promise((resolve) => setTimeout(resolve, 100));
    const [vector] = await pool.embedQueries(['Which configuration option sets the port?'], 'query');
    const doneWhenAnswered = passagesDone;
    expect(vector).toHaveLength(384);
    // Ordering evidence, not a time limit: the question went to the query worker (or ahead of the
    // backlog on a backlog worker); most of the backlog was still waiting when it was answered.
    expect(doneWhenAnswered).toBeLessThan(total / 2);
    // Per passage (one per call), its windows' vectors.
    const vectors = (await Promise.all(backlog)).map(([windows]) => windows ?? []);
    expect(passagesDone).toBe(total);
    expect(
      vectors.every((windows) => windows.length >= 1 && windows.every((window) => window.length === 384)),
    ).toBe(true);
  }, 120_000);
});
