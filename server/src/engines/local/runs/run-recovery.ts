import type { Run } from '@threadline/shared';
import type { EngineStore } from '../store/engine-store.js';
import { nowSeconds } from '../store/ids.js';

type ClosedStatus = 'cancelled' | 'failed' | 'expired';

/** An idle `requires_action` run past its `expires_at` becomes `expired` (with its open steps). */
export function expireIfDue(store: EngineStore, run: Run, now = nowSeconds()): Run {
  if (run.status !== 'requires_action' || run.expires_at === null || now < run.expires_at) return run;
  return closeRun(store, { ...run, status: 'expired', required_action: null }, 'expired', now);
}

/** Cancels a run no task is executing (one waiting for tool outputs): the store is all there is. */
export function cancelIdleRun(store: EngineStore, run: Run, now = nowSeconds()): Run {
  const cancelled: Run = { ...run, status: 'cancelled', cancelled_at: now, required_action: null };
  return closeRun(store, cancelled, 'cancelled', now);
}

/**
 * At start-up no run can still be executing: queued/in-progress ones died with the process and
 * become `failed`, `cancelling` ones `cancelled`; `requires_action` ones wait until they expire.
 */
export function recoverInterruptedRuns(store: EngineStore, now = nowSeconds()): number {
  let recovered = 0;
  for (const runId of store.activeRunIds()) {
    const run = store.runs.get(runId);
    if (!run) continue;
    if (run.status === 'requires_action') {
      if (expireIfDue(store, run, now).status === 'expired') recovered += 1;
      continue;
    }
    if (run.status === 'cancelling') {
      cancelIdleRun(store, run, now);
    } else {
      const failed: Run = {
        ...run,
        status: 'failed',
        failed_at: now,
        required_action: null,
        last_error: { code: 'server_error', message: 'The server stopped while this run was in progress.' },
      };
      closeRun(store, failed, 'failed', now);
    }
    recovered += 1;
  }
  return recovered;
}

/** One transaction, so a reader never sees a finished run with steps still in progress. */
function closeRun(store: EngineStore, finished: Run, status: ClosedStatus, now: number): Run {
  store.transaction(() => {
    store.runs.update(finished);
    closeOpenWork(store, finished.id, status, now);
  });
  return finished;
}

function closeOpenWork(store: EngineStore, runId: string, status: ClosedStatus, now: number) {
  for (const step of store.steps.list(runId, { limit: 1000, order: 'asc' }).data) {
    if (step.status !== 'in_progress') continue;
    store.steps.update({
      ...step,
      status,
      cancelled_at: status === 'cancelled' ? now : null,
      failed_at: status === 'failed' ? now : null,
      expired_at: status === 'expired' ? now : null,
    });
    if (step.step_details.type !== 'message_creation') continue;
    const message = store.messages.get(step.step_details.message_creation.message_id);
    if (message?.status !== 'in_progress') continue;
    const reason =
      status === 'cancelled' ? 'run_cancelled' : status === 'expired' ? 'run_expired' : 'run_failed';
    store.messages.update({
      ...message,
      status: 'incomplete',
      incomplete_at: now,
      incomplete_details: { reason },
    });
  }
}
