import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { SharedRecords } from '../../src/ownership/owner-records.js';

export type RecordsHandle = {
  /** Records of one engine (`scope`) in the home under test; every call shares the home. */
  open: (scope: string) => Promise<SharedRecords>;
  cleanup: () => Promise<void>;
};

/** The one behaviour every home of owner and default-store records must have. */
export function ownerRecordsContract(openHome: () => Promise<RecordsHandle>): void {
  let handle: RecordsHandle;
  let records: SharedRecords;
  let otherEngine: SharedRecords;
  const opened: SharedRecords[] = [];
  const open = async (scope: string) => {
    const made = await handle.open(scope);
    opened.push(made);
    return made;
  };
  beforeAll(async () => {
    handle = await openHome();
    records = await open('engine-a');
    otherEngine = await open('engine-b');
  });
  afterAll(async () => {
    for (const made of opened) await made.close();
    await handle.cleanup();
  });
  const unique = (prefix: string) => `${prefix}_${randomUUID().slice(0, 8)}`;

  it('records an owner, reads it back and forgets it', async () => {
    const id = unique('vs');
    expect(await records.owners.ownerOf('vector_store', id)).toBeNull();
    await records.owners.record('vector_store', id, 'alice');
    expect(await records.owners.ownerOf('vector_store', id)).toBe('alice');
    await records.owners.forget('vector_store', id);
    expect(await records.owners.ownerOf('vector_store', id)).toBeNull();
  });

  it('keeps the first owner recorded: a later or concurrent record changes nothing', async () => {
    const id = unique('thread');
    await Promise.all(['alice', 'bob', 'carol'].map((user) => records.owners.record('thread', id, user)));
    const first = await records.owners.ownerOf('thread', id);
    expect(['alice', 'bob', 'carol']).toContain(first);
    await records.owners.record('thread', id, first === 'alice' ? 'bob' : 'alice');
    expect(await records.owners.ownerOf('thread', id)).toBe(first);
  });

  it('keeps kinds and engines apart', async () => {
    const id = unique('obj');
    await records.owners.record('file', id, 'alice');
    expect(await records.owners.ownerOf('vector_store', id)).toBeNull();
    expect(await otherEngine.owners.ownerOf('file', id)).toBeNull();
    await otherEngine.owners.record('file', id, 'bob');
    expect(await records.owners.ownerOf('file', id)).toBe('alice');
    expect(await otherEngine.owners.ownerOf('file', id)).toBe('bob');
  });

  it('is seen by every instance using the home (another connection)', async () => {
    const elsewhere = await open('engine-a');
    const id = unique('vs');
    await records.owners.record('vector_store', id, 'alice');
    expect(await elsewhere.owners.ownerOf('vector_store', id)).toBe('alice');
    const user = unique('user');
    await elsewhere.defaults.put(user, ['vs_1']);
    expect(await records.defaults.get(user)).toEqual(['vs_1']);
  });

  it('keeps default stores per user and engine; putIfAbsent never overwrites, put does', async () => {
    const user = unique('user');
    expect(await records.defaults.get(user)).toBeNull();
    expect(await records.defaults.putIfAbsent(user, ['vs_sample'])).toBe(true);
    expect(await records.defaults.putIfAbsent(user, ['vs_other'])).toBe(false);
    expect(await records.defaults.get(user)).toEqual(['vs_sample']);
    expect(await otherEngine.defaults.get(user)).toBeNull();
    await records.defaults.put(user, []);
    expect(await records.defaults.get(user)).toEqual([]);
    await records.defaults.put(user, ['vs_a', 'vs_b']);
    expect(await records.defaults.get(user)).toEqual(['vs_a', 'vs_b']);
  });

  it('gives the provisioning claim to exactly one of many concurrent holders', async () => {
    const user = unique('user');
    const holders = Array.from({ length: 12 }, (_, index) => `holder-${index}`);
    const results = await Promise.all(holders.map((holder) => records.defaults.claim(user, holder, 10_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
    const winner = holders[results.indexOf(true)] ?? '';
    // The holder renews it; the others still cannot take it; another engine's claim is its own.
    expect(await records.defaults.claim(user, winner, 10_000)).toBe(true);
    expect(await records.defaults.claim(user, 'late', 10_000)).toBe(false);
    expect(await otherEngine.defaults.claim(user, 'late', 10_000)).toBe(true);
    // Only its holder frees it.
    await records.defaults.release(user, 'late');
    expect(await records.defaults.claim(user, 'late', 10_000)).toBe(false);
    await records.defaults.release(user, winner);
    expect(await records.defaults.claim(user, 'late', 10_000)).toBe(true);
  });

  it('lets a claim whose holder died lapse, and another take it over', async () => {
    const user = unique('user');
    expect(await records.defaults.claim(user, 'crashed', 300)).toBe(true);
    expect(await records.defaults.claim(user, 'survivor', 300)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(await records.defaults.claim(user, 'survivor', 10_000)).toBe(true);
    // The crashed holder, back, finds it taken.
    expect(await records.defaults.claim(user, 'crashed', 10_000)).toBe(false);
  });
}
