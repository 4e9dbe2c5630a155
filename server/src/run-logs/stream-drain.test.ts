import { describe, expect, it } from 'vitest';
import { ShuttingDownError, StreamDrain } from './stream-drain.js';

const streamFor = (drain: StreamDrain, milliseconds: number) =>
  drain.track(
    new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve('finished'), milliseconds);
      drain.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve('cancelled');
      });
    }),
  );

describe('StreamDrain', () => {
  it('lets streams that end within the grace period finish', async () => {
    const drain = new StreamDrain();
    const stream = streamFor(drain, 30);
    await drain.drain(1000);
    expect(await stream).toBe('finished');
    expect(drain.signal.aborted).toBe(false);
    expect(drain.size).toBe(0);
  });

  it('cancels streams still running when the grace period ends', async () => {
    const drain = new StreamDrain();
    const short = streamFor(drain, 10);
    const long = streamFor(drain, 10_000);
    const started = Date.now();
    await drain.drain(100);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(await short).toBe('finished');
    expect(await long).toBe('cancelled');
    expect(drain.signal.reason).toBeInstanceOf(ShuttingDownError);
  });

  it("aborts a stream's own controller when the grace period ends, and at once for one tracked after", async () => {
    const drain = new StreamDrain();
    const controller = new AbortController();
    const stream = drain.track(
      new Promise<string>((resolve) =>
        controller.signal.addEventListener('abort', () => resolve(String(controller.signal.reason))),
      ),
      controller,
    );
    await drain.drain(50);
    expect(await stream).toContain('shutting down');
    expect(controller.signal.reason).toBeInstanceOf(ShuttingDownError);

    const late = new AbortController();
    void drain.track(Promise.resolve(), late);
    expect(late.signal.reason).toBeInstanceOf(ShuttingDownError);
  });

  it('returns at once with nothing in flight', async () => {
    const drain = new StreamDrain();
    await drain.drain(10_000);
    expect(drain.signal.aborted).toBe(false);
  });
});
