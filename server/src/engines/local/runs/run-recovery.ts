import type { Run } from '@threadline/shared';
import type { EngineState } from '../store/engine-state.js';
import { nowSeconds } from '../store/ids.js';

type ClosedStatus = 'cancelled' | 'failed' | 'expired';

/** An idle `requires_action` run past its `expires_at` becomes `expired` (with its open steps). */
export async function expireIfDue(store: EngineState, run: Run, now = nowSeconds()): Promise<Run> {
  if (run.status !== 'requires_action' || run.expires_at === null || now < run.expires_at) return run;
  return closeRun(store, { ...run, status: 'expired', required_action: null }, 'expired', now);
}

/** Cancels a run no task is executing (one waiting for tool outputs): the store is all there is. */
export async function cancelIdleRun(store: EngineState, run: Run, now = nowSeconds()): Promise<Run> {
  const cancelled: Run = { ...run, status: 'cancelled', cancelled_at: now, required_action: null };
  return closeRun(store, cancelled, 'cancelled', now);
}

/**
 * At start-up no run can still be executing: queued/in-progress ones died with the process and
 * become `failed`, `cancelling` ones `cancelled`; `requires_action` ones wait until they expire.
 */
export async function recoverInterruptedRuns(store: EngineState, now = nowSeconds()): Promise<number> {
  let recovered = 0;
  for (const runId of await store.activeRunIds()) {
    const run = await store.runs.get(runId);
    if (!run) continue;
    if (run.status === 'requires_action') {
      if ((await expireIfDue(store, run, now)).status === 'expired') recovered += 1;
      continue;
    }
    await endInterruptedRun(store, run, now);
    recovered += 1;
  }
  return recovered;
}

/** A run whose executing process stopped: `cancelling` ones end `cancelled`, others `failed`. */
export async function endInterruptedRun(store: EngineState, run: Run, now = nowSeconds()): Promise<Run> {
  if (run.status === 'cancelling') return cancelIdleRun(store, run, now);
  const failed: Run = {
    ...run,
    status: 'failed',
    failed_at: now,
    required_action: null,
    last_error: { code: 'server_error', message: 'The server stopped while this run was in progress.' },
  };
  return closeRun(store, failed, 'failed', now);
}

/**
 * Ends the runs whose instance stopped (their lease lapsed: see EngineState.orphanedRunIds),
 * leaving alone those `isExecutingHere`; of one thread or all. Returns how many it ended.
 */
export async function endOrphanedRuns(
  store: EngineState,
  isExecutingHere: (runId: string) => boolean,
  threadId?: string,
): Promise<number> {
  if (!store.hasRunLeases) return 0;
  let ended = 0;
  for (const runId of await store.orphanedRunIds(threadId)) {
    if (isExecutingHere(runId)) continue;
    const run = await store.runs.get(runId);
    if (!run) continue;
    await endInterruptedRun(store, run);
    ended += 1;
  }
  return ended;
}

/** One transaction, so a reader never sees a finished run with steps still in progress. */
async function closeRun(store: EngineState, finished: Run, status: ClosedStatus, now: number): Promise<Run> {
  await store.transaction(async (inside) => {
    await inside.runs.update(finished);
    await closeOpenWork(inside, finished.id, status, now);
  });
  return finished;
}

async function closeOpenWork(store: EngineState, runId: string, status: ClosedStatus, now: number) {
  for (const step of (await store.steps.list(runId, { limit: 1000, order: 'asc' })).data) {
    if (step.status !== 'in_progress') continue;
    await store.steps.update({
      ...step,
      status,
      cancelled_at: status === 'cancelled' ? now : null,
      failed_at: status === 'failed' ? now : null,
      expired_at: status === 'expired' ? now : null,
    });
    if (step.step_details.type !== 'message_creation') continue;
    const message = await store.messages.get(step.step_details.message_creation.message_id);
    if (message?.status !== 'in_progress') continue;
    const reason =
      status === 'cancelled' ? 'run_cancelled' : status === 'expired' ? 'run_expired' : 'run_failed';
    await store.messages.update({
      ...message,
      status: 'incomplete',
      incomplete_at: now,
      incomplete_details: { reason },
    });
  }
}
