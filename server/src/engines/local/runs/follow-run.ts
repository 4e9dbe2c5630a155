import type { AssistantStreamEvent } from '@threadline/shared';
import type { RunTask } from './run-task.js';

export type StartedRun = { events: AsyncIterable<AssistantStreamEvent> | null; task: RunTask };

/**
 * The Engine's stream contract over a started run: its events until it ends, and a cancel of
 * the run when `signal` aborts (the caller left), whose events still end the stream.
 */
export async function* followRun(
  start: () => Promise<StartedRun>,
  signal: AbortSignal,
): AsyncIterable<AssistantStreamEvent> {
  const { events, task } = await start();
  const onAbort = () => void task.requestCancel().catch(() => {});
  if (signal.aborted) onAbort();
  else signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (events) yield* events;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
