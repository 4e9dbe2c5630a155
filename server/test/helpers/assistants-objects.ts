import type { Run } from '@threadline/shared';

/** A run snapshot for unit tests: run_1 on thread_1 with file_search, in `status`. */
export function runFixture(status: Run['status'], overrides: Partial<Run> = {}): Run {
  return {
    id: 'run_1',
    object: 'thread.run',
    created_at: 1_700_000_000,
    thread_id: 'thread_1',
    assistant_id: 'asst_1',
    status,
    required_action: null,
    last_error: null,
    expires_at: null,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: 'local-extractive',
    instructions: null,
    tools: [{ type: 'file_search' }],
    metadata: {},
    usage: null,
    ...overrides,
  };
}
