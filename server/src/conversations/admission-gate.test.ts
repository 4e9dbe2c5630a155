import { describe, expect, it } from 'vitest';
import { AdmissionGate } from './admission-gate.js';

const busy = (ms: number) => {
  const until = performance.now() + ms;
  while (performance.now() < until);
};

/**
 * Starts `count` tasks in one turn of the event loop, each doing `workMs` of synchronous work,
 * and returns the longest time a 2 ms timer had to wait meanwhile.
 */
async function storm(gate: AdmissionGate | null, count: number, workMs: number) {
  let last = performance.now();
  let longestWait = 0;
  const ticker = setInterval(() => {
    longestWait = Math.max(longestWait, performance.now() - last);
    last = performance.now();
  }, 2);
  const order: number[] = [];
  await Promise.all(
    Array.from({ length: count }, async (_, index) => {
      await gate?.admit();
      busy(workMs);
      order.push(index);
    }),
  );
  // One more tick, so a wait that lasted until the end of the storm is counted.
  await new Promise((resolve) => setTimeout(resolve, 5));
  clearInterval(ticker);
  return { order, longestWait };
}

describe('AdmissionGate', () => {
  it('lets a lone start through synchronously', () => {
    const gate = new AdmissionGate(5);
    expect(gate.admit()).toBeUndefined();
  });

  it('spreads a burst of starts over turns of the event loop, in arrival order', async () => {
    const ungated = await storm(null, 150, 1);
    const gated = await storm(new AdmissionGate(5), 150, 1);
    // Without the gate the timer waits for all 150 ms of work; with it, for about a slice or two
    // (5–15 ms; the bound leaves room for a busy CI machine descheduling the process).
    expect(ungated.longestWait).toBeGreaterThan(140);
    expect(gated.longestWait).toBeLessThan(60);
    expect(gated.order).toEqual([...gated.order].sort((a, b) => a - b));
    expect(gated.order).toHaveLength(150);
  });

  it('queues later arrivals behind the waiting ones', async () => {
    const gate = new AdmissionGate(1);
    expect(gate.admit()).toBeUndefined();
    busy(2);
    const order: string[] = [];
    const first = gate.admit()?.then(() => order.push('first'));
    expect(gate.queued).toBe(1);
    const second = gate.admit()?.then(() => order.push('second'));
    expect(gate.queued).toBe(2);
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
    expect(gate.queued).toBe(0);
  });
});
