import { setTimeout as delay } from 'node:timers/promises';
import { runSchema, terminalRunStatuses, type Run } from '@threadline/shared';
import type OpenAI from 'openai';
import { AppError } from '../../http/index.js';
import { toUpstreamError, upstreamStatus } from '../upstream/index.js';

/** Cancels one run (a finished run answers 400, which is fine) and polls until it is terminal. */
export async function cancelAndWait(
  client: OpenAI,
  threadId: string,
  runId: string,
  options: { timeoutMs: number; signal?: AbortSignal | undefined },
): Promise<Run> {
  const runs = client.beta.threads.runs;
  await runs.cancel(runId, { thread_id: threadId }).catch((error: unknown) => {
    const status = upstreamStatus(error);
    if (status !== 400 && status !== 409) throw toUpstreamError(error, 'ASSISTANTS_API_KEY');
  });
  const deadline = Date.now() + options.timeoutMs;
  for (let wait = 25; ; wait = Math.min(wait * 2, 500)) {
    const run = runSchema.parse(
      await runs.retrieve(runId, { thread_id: threadId }).catch((error: unknown) => {
        throw toUpstreamError(error, 'ASSISTANTS_API_KEY');
      }),
    );
    if (terminalRunStatuses.includes(run.status)) return run;
    if (Date.now() > deadline) {
      throw new AppError('thread_busy', 409, 'A run on this thread did not stop in time; try again shortly.');
    }
    await delay(wait, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
