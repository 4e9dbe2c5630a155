import { describe, expect, it } from 'vitest';
import { inProgressRunStep, runStepSchema, type RunStep } from '../src/index.js';

describe('inProgressRunStep', () => {
  it.each<[string, RunStep['step_details']]>([
    ['a message creation step', { type: 'message_creation', message_creation: { message_id: 'msg_1' } }],
    [
      'a file_search tool step',
      { type: 'tool_calls', tool_calls: [{ id: 'call_1', type: 'file_search', file_search: {} }] },
    ],
  ])('builds %s that validates, in progress, with its type taken from its details', (_label, details) => {
    const step = inProgressRunStep({
      id: 'step_1',
      createdAt: 7,
      assistantId: 'asst_1',
      threadId: 'thread_1',
      runId: 'run_1',
      details,
    });
    expect(runStepSchema.parse(step)).toEqual(step);
    expect(step).toMatchObject({
      status: 'in_progress',
      type: details.type,
      step_details: details,
      completed_at: null,
      usage: null,
    });
  });
});
