import { describe, expect, it } from 'vitest';
import { SupersededError, ThreadSerialiser } from './thread-serialiser.js';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ThreadSerialiser', () => {
  it('aborts the active turn, waits for its release, then settles runs before handing over', async () => {
    const log: string[] = [];
    const serialiser = new ThreadSerialiser(async (threadId) => {
      log.push(`cancel ${threadId}`);
    });
    const first = await serialiser.acquire('t1');
    const secondPromise = serialiser.acquire('t1');
    await tick();
    expect(first.signal.aborted).toBe(true);
    expect(first.signal.reason).toBeInstanceOf(SupersededError);
    let hasSecond = false;
    void secondPromise.then(() => (hasSecond = true));
    await tick();
    expect(hasSecond).toBe(false);
    first.release();
    const second = await secondPromise;
    expect(second.signal.aborted).toBe(false);
    expect(log).toEqual(['cancel t1', 'cancel t1']);
    second.release();
    expect(serialiser.activeThreadCount).toBe(0);
  });

  it('runs different threads in parallel', async () => {
    const serialiser = new ThreadSerialiser(async () => {});
    const [a, b] = await Promise.all([serialiser.acquire('a'), serialiser.acquire('b')]);
    expect(a.signal.aborted).toBe(false);
    expect(b.signal.aborted).toBe(false);
    expect(serialiser.activeThreadCount).toBe(2);
    a.release();
    b.release();
  });

  it('hands three racing sends over in arrival order; only the last keeps its signal', async () => {
    const serialiser = new ThreadSerialiser(async () => {});
    const order: number[] = [];
    const sends = [1, 2, 3].map(async (index) => {
      const turn = await serialiser.acquire('t');
      order.push(index);
      const wasAborted = turn.signal.aborted;
      await tick();
      turn.release();
      return wasAborted;
    });
    const aborted = await Promise.all(sends);
    expect(order).toEqual([1, 2, 3]);
    expect(aborted).toEqual([true, true, false]);
    expect(serialiser.activeThreadCount).toBe(0);
  });

  it('releases the thread when settling active runs fails', async () => {
    let shouldFail = true;
    const serialiser = new ThreadSerialiser(async () => {
      if (shouldFail) throw new Error('engine down');
    });
    await expect(serialiser.acquire('t')).rejects.toThrow('engine down');
    expect(serialiser.activeThreadCount).toBe(0);
    shouldFail = false;
    const turn = await serialiser.acquire('t');
    turn.release();
  });
});
