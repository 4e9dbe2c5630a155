/**
 * Iterates `source` until `signal` aborts, then stops at once instead of waiting for the
 * pending read: an aborted upstream body does not settle on every transport, and a cancel
 * must not hang on it. Closing the source is fire-and-forget for the same reason.
 */
export async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let onAbort = () => {};
  const aborted = new Promise<'aborted'>((resolve) => {
    onAbort = () => resolve('aborted');
  });
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  let isExhausted = false;
  try {
    while (!signal.aborted) {
      const next = iterator.next();
      const result = await Promise.race([next, aborted]);
      if (result === 'aborted') {
        next.catch(() => undefined);
        return;
      }
      if (result.done) {
        isExhausted = true;
        return;
      }
      yield result.value;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    if (!isExhausted) void iterator.return?.()?.catch(() => undefined);
  }
}
