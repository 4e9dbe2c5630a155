import type { RunStep } from './objects.js';

/** A run step as it starts: in progress, with every end-of-life field still null. */
export function inProgressRunStep(input: {
  id: string;
  createdAt: number;
  assistantId: string;
  threadId: string;
  runId: string;
  details: RunStep['step_details'];
}): RunStep {
  return {
    id: input.id,
    object: 'thread.run.step',
    created_at: input.createdAt,
    assistant_id: input.assistantId,
    thread_id: input.threadId,
    run_id: input.runId,
    type: input.details.type,
    status: 'in_progress',
    step_details: input.details,
    last_error: null,
    expired_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    metadata: null,
    usage: null,
  };
}
