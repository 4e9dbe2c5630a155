import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { PdfTextError, PdfTextWorker } from './pdf-text.js';

const onboarding = readFileSync(
  new URL('../../../../../test/fixtures/knowledge/onboarding.pdf', import.meta.url),
);
const damaged = Buffer.concat([onboarding.subarray(0, 400), Buffer.from('\n%%EOF\n')]);

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the document was read'),
    (error: unknown) => {
      expect(error).toBeInstanceOf(PdfTextError);
      return error as PdfTextError;
    },
  );

describe('PdfTextWorker', () => {
  const workers: PdfTextWorker[] = [];
  const worker = (options?: ConstructorParameters<typeof PdfTextWorker>[0]) => {
    const created = new PdfTextWorker(options);
    workers.push(created);
    return created;
  };
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((created) => created.close()));
  });

  it('reads the text in a worker and leaves this realm’s built-ins as they were', async () => {
    // pdf.js loaded here would replace each of these with a core-js polyfill.
    const own = (target: object, key: string): unknown => Object.getOwnPropertyDescriptor(target, key)?.value;
    const builtIns = () => [
      own(Array.prototype, 'push'),
      own(JSON, 'parse'),
      own(Function.prototype, 'toString'),
      own(Promise, 'withResolvers'),
    ];
    const before = builtIns();
    const text = await worker().extract(onboarding);
    expect(text).toContain('laptop');
    builtIns().forEach((builtIn, index) => expect(builtIn).toBe(before[index]));
  });

  it('reports a damaged PDF and goes on reading the next documents', async () => {
    const reader = worker();
    const [bad, good, again] = await Promise.allSettled([
      reader.extract(damaged),
      reader.extract(onboarding),
      reader.extract(new Uint8Array(onboarding)),
    ]);
    expect(bad.status === 'rejected' && bad.reason).toMatchObject({ reason: 'unreadable' });
    for (const result of [good, again])
      expect(result.status === 'fulfilled' ? result.value : result.reason).toContain('laptop');
  });

  it('ends a document that runs past its time and starts a new worker for the next', async () => {
    const reader = worker({ timeoutMs: 1 });
    const errors = await Promise.all([
      failure(reader.extract(onboarding)),
      failure(reader.extract(onboarding)),
    ]);
    expect(errors.map((error) => [error.reason, error.message])).toEqual([
      ['over_limit', 'reading the PDF took longer than 0.001 s'],
      ['over_limit', 'reading the PDF took longer than 0.001 s'],
    ]);
  });

  it('caps the worker’s memory', async () => {
    const error = await failure(worker({ maxHeapMb: 2 }).extract(onboarding));
    expect([error.reason, error.message]).toEqual([
      'over_limit',
      'reading the PDF needed more than 2 MB of memory',
    ]);
  });

  it('fails documents still waiting when it closes', async () => {
    const reader = worker();
    const pending = [failure(reader.extract(onboarding)), failure(reader.extract(onboarding))];
    await reader.close();
    expect((await Promise.all(pending)).map((error) => [error.reason, error.message])).toEqual([
      ['stopped', 'the server is shutting down'],
      ['stopped', 'the server is shutting down'],
    ]);
  });
});
