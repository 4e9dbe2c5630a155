import { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import { isConversationLocked, retryWhileConversationLocked } from './conversation-lock-retry.js';

const locked = () =>
  APIError.generate(
    400,
    {
      error: {
        message: 'Another process is currently operating on this conversation.',
        code: 'conversation_locked',
      },
    },
    undefined,
    new Headers(),
  );
const fast = { attempts: 4, baseDelayMs: 1, maxDelayMs: 2 };

function failing(failures: (() => Error)[]) {
  let calls = 0;
  const operation = async () => {
    const next = failures[calls];
    calls += 1;
    if (next) throw next();
    return 'ok';
  };
  return { operation, calls: () => calls };
}

describe('retryWhileConversationLocked', () => {
  it.each([
    { name: 'no failure', failures: [], calls: 1 },
    { name: 'locked twice, then free', failures: [locked, locked], calls: 3 },
    { name: 'locked until the last attempt', failures: [locked, locked, locked], calls: 4 },
  ])('$name → $calls calls', async ({ failures, calls }) => {
    const subject = failing(failures);
    await expect(retryWhileConversationLocked(subject.operation, fast)).resolves.toBe('ok');
    expect(subject.calls()).toBe(calls);
  });

  it('gives up after the bounded number of attempts with the locked error', async () => {
    const subject = failing([locked, locked, locked, locked, locked]);
    const error: unknown = await retryWhileConversationLocked(subject.operation, fast).catch(
      (caught: unknown) => caught,
    );
    expect(isConversationLocked(error)).toBe(true);
    expect(subject.calls()).toBe(4);
  });

  it('does not retry other errors', async () => {
    const subject = failing([
      () =>
        APIError.generate(
          400,
          { error: { message: 'bad', code: 'invalid_value' } },
          undefined,
          new Headers(),
        ),
    ]);
    await expect(retryWhileConversationLocked(subject.operation, fast)).rejects.toMatchObject({
      status: 400,
    });
    expect(subject.calls()).toBe(1);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const subject = failing([locked, locked]);
    const pending = retryWhileConversationLocked(
      subject.operation,
      { attempts: 3, baseDelayMs: 10_000, maxDelayMs: 10_000 },
      controller.signal,
    );
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    expect(subject.calls()).toBe(1);
  });
});
