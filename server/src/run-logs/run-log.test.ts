import type { AssistantStreamEvent } from '@threadline/shared';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AppError } from '../http/index.js';
import { RunLog, RunLogs } from './run-log.js';

const delta = (text: string): AssistantStreamEvent => ({
  event: 'thread.message.delta',
  data: {
    id: 'msg_1',
    object: 'thread.message.delta',
    delta: { content: [{ index: 0, type: 'text', text: { value: text } }] },
  },
});
const appError = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (error instanceof AppError) return { status: error.statusCode, code: error.code };
    throw error;
  }
  return undefined;
};

afterEach(() => vi.useRealTimers());

describe('RunLog', () => {
  it('numbers events from 1 and gives each an id naming the run and position', () => {
    const log = new RunLog('thread_1', 'alice', 100);
    void log.append(delta('a'));
    void log.append(delta('b'));
    const reader = log.attach(0);
    const events = log.read(reader);
    expect(events.map((event) => event.id)).toEqual([`${log.id}:1`, `${log.id}:2`]);
    expect(log.id).toMatch(/^rs_[\w-]{12}$/);
    expect(JSON.parse(events[1]?.data ?? '')).toEqual(delta('b').data);
    expect(log.read(reader)).toEqual([]);
  });

  it('drops the oldest events beyond its bound once every reader has read them', () => {
    const log = new RunLog('thread_1', 'alice', 100);
    for (let index = 0; index < 250; index += 1) expect(log.append(delta(String(index)))).toBeUndefined();
    expect(appError(() => log.attach(149))).toEqual({ status: 410, code: 'cursor_expired' });
    const reader = log.attach(150);
    expect(log.read(reader).map((event) => event.id)).toHaveLength(100);
    expect(appError(() => log.attach(251))).toEqual({ status: 400, code: 'bad_request' });
  });

  it('keeps positions and ids exact across thousands of drops (compacted in bulk)', () => {
    const log = new RunLog('thread_1', 'alice', 100);
    const reader = log.attach(0);
    const seen: string[] = [];
    for (let index = 1; index <= 5000; index += 1) {
      expect(log.append(delta(String(index)))).toBeUndefined();
      if (index % 7 === 0) seen.push(...log.read(reader).map((event) => `${event.id}=${event.data.length}`));
    }
    seen.push(...log.read(reader).map((event) => `${event.id}=${event.data.length}`));
    expect(seen).toHaveLength(5000);
    expect(seen[4999]).toBe(`${log.id}:5000=${JSON.stringify(delta('5000').data).length}`);
    expect(log.read(log.attach(4900)).map((event) => event.id)[0]).toBe(`${log.id}:4901`);
    expect(appError(() => log.attach(4899))).toEqual({ status: 410, code: 'cursor_expired' });
  });

  it('bounds the characters kept too, so a few huge events cannot take the memory', () => {
    const log = new RunLog('thread_1', 'alice', 100);
    const huge = 'x'.repeat(40 * 1024);
    for (let index = 0; index < 10; index += 1) void log.append(delta(huge));
    // 100 events × 1,024 characters: two events of 40 K fit, a third does not.
    expect(appError(() => log.attach(7))).toEqual({ status: 410, code: 'cursor_expired' });
    expect(log.read(log.attach(8))).toHaveLength(2);
  });

  it('makes the run wait for a reader that is behind when full, and go on once it reads', async () => {
    const log = new RunLog('thread_1', 'alice', 100);
    const reader = log.attach(0);
    for (let index = 0; index < 100; index += 1) void log.append(delta(String(index)));
    const full = log.append(delta('101'));
    expect(full).toBeInstanceOf(Promise);
    let isDone = false;
    void full?.then(() => (isDone = true));
    await Promise.resolve();
    expect(isDone).toBe(false);
    expect(log.read(reader, 10)).toHaveLength(10);
    await full;
    expect(log.read(reader)).toHaveLength(91);
  });

  it('drops a reader that reads nothing for 30 s, or at once when the run is stopped: its next read is a 410', async () => {
    vi.useFakeTimers();
    const log = new RunLog('thread_1', 'alice', 100);
    const stalled = log.attach(0);
    for (let index = 0; index < 100; index += 1) void log.append(delta(String(index)));
    const full = log.append(delta('101'));
    await vi.advanceTimersByTimeAsync(30_000);
    await full;
    expect(appError(() => log.read(stalled))).toEqual({ status: 410, code: 'cursor_expired' });

    const other = new RunLog('thread_2', 'alice', 100);
    other.attach(0);
    const controller = new AbortController();
    for (let index = 0; index < 100; index += 1) void other.append(delta(String(index)));
    const waiting = other.append(delta('101'), controller.signal);
    controller.abort();
    await waiting;
    expect(other.append(delta('102'), controller.signal)).toBeUndefined();
  });

  it('wakes waiting readers on each event and at the end', async () => {
    const log = new RunLog('thread_1', 'alice', 100);
    const reader = log.attach(0);
    const woken = log.whenReadable(reader);
    void log.append(delta('a'));
    await woken;
    log.read(reader);
    const ended = log.whenReadable(reader);
    log.end({ isClean: true });
    await ended;
    expect(log.isFinishedFor(reader)).toBe(true);
    expect(log.append(delta('late'))).toBeUndefined();
    expect(log.lastPosition).toBe(1);
  });
  it('ends a waiting reader at once when interrupted (its client left), with no event and no end', async () => {
    const log = new RunLog('thread_1', 'alice', 100);
    const reader = log.attach(0);
    let isWoken = false;
    const waiting = log.whenReadable(reader).then(() => (isWoken = true));
    await Promise.resolve();
    expect(isWoken).toBe(false);
    log.interrupt(reader);
    await waiting;
    expect(isWoken).toBe(true);
    expect(log.isEnded).toBe(false);
    // A reader interrupted is not woken again by a later event; another waiting reader is.
    const other = log.attach(0);
    const otherWoken = log.whenReadable(other);
    void log.append(delta('a'));
    await otherWoken;
    expect(reader.wake).toBeUndefined();
  });
});

describe('RunLogs', () => {
  it('resolves where a reader picks up: the run in progress, after a cursor, or nothing (204)', async () => {
    const logs = new RunLogs({ maxEvents: 100, retentionMs: 60_000 });
    expect(logs.resolve('thread_1', undefined)).toBeUndefined();
    const first = logs.open('thread_1', 'alice');
    void first.append(delta('a'));
    void first.append(delta('b'));
    expect(logs.resolve('thread_1', undefined)).toEqual({ log: first, after: 0 });
    expect(logs.resolve('thread_1', `${first.id}:1`)).toEqual({ log: first, after: 1 });
    // Read to the end of a run that is still going: wait for more.
    expect(logs.resolve('thread_1', `${first.id}:2`)).toEqual({ log: first, after: 2 });
    first.end({ isClean: true });
    expect(logs.resolve('thread_1', undefined)).toBeUndefined();
    expect(logs.resolve('thread_1', `${first.id}:2`)).toBeUndefined();
    expect(logs.resolve('thread_1', `${first.id}:1`)).toEqual({ log: first, after: 1 });
    // After the end of one run comes the next one, from its start.
    const second = logs.open('thread_1', 'alice');
    expect(logs.resolve('thread_1', `${first.id}:2`)).toEqual({ log: second, after: 0 });
    expect(appError(() => logs.resolve('thread_1', `${first.id}:3`))).toEqual({
      status: 400,
      code: 'bad_request',
    });
    expect(appError(() => logs.resolve('thread_2', `${first.id}:1`))).toEqual({
      status: 410,
      code: 'cursor_expired',
    });
    await logs.close();
  });

  it('forgets a log the retention period after its run ended', async () => {
    vi.useFakeTimers();
    const logs = new RunLogs({ maxEvents: 100, retentionMs: 1000 });
    const log = logs.open('thread_1', 'alice');
    void log.append(delta('a'));
    log.end({ isClean: true });
    await vi.advanceTimersByTimeAsync(999);
    expect(logs.get(log.id)).toBe(log);
    await vi.advanceTimersByTimeAsync(1);
    expect(logs.get(log.id)).toBeUndefined();
    expect(logs.latest('thread_1')).toBeUndefined();
    expect(appError(() => logs.resolve('thread_1', `${log.id}:1`))).toEqual({
      status: 410,
      code: 'cursor_expired',
    });
    await logs.close();
  });

  it('keeps ended logs for their retention with one timer, forgetting each in turn', async () => {
    vi.useFakeTimers();
    const logs = new RunLogs({ maxEvents: 100, retentionMs: 1000 });
    const ended = [];
    for (let index = 0; index < 3; index += 1) {
      const log = logs.open(`thread_${index}`, 'alice');
      void log.append(delta('a'));
      log.end({ isClean: true });
      ended.push(log);
      await vi.advanceTimersByTimeAsync(300);
    }
    // Three logs retained (ended at 0, 300 and 600 ms), one timer for all of them.
    expect(logs.size).toBe(3);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100); // 1,000 ms: the first is forgotten
    expect(ended.map((log) => logs.get(log.id) !== undefined)).toEqual([false, true, true]);
    await vi.advanceTimersByTimeAsync(300);
    expect(ended.map((log) => logs.get(log.id) !== undefined)).toEqual([false, false, true]);
    await vi.advanceTimersByTimeAsync(300);
    expect(logs.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await logs.close();
  });
});
