import { inProgressRunStep, type AssistantStreamEvent, type Message, type Run } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../../../test/helpers/assistants-objects.js';
import { RelayTracker } from './relay-tracker.js';

const run = (status: Run['status']): Run => runFixture(status);
const step = inProgressRunStep({
  id: 'step_1',
  createdAt: 1,
  assistantId: 'asst_1',
  threadId: 'thread_1',
  runId: 'run_1',
  details: { type: 'message_creation', message_creation: { message_id: 'msg_1' } },
});
const message: Message = {
  id: 'msg_1',
  object: 'thread.message',
  created_at: 1,
  thread_id: 'thread_1',
  status: 'in_progress',
  incomplete_details: null,
  completed_at: null,
  incomplete_at: null,
  role: 'assistant',
  content: [],
  assistant_id: 'asst_1',
  run_id: 'run_1',
  attachments: [],
  metadata: {},
};

const midAnswer: AssistantStreamEvent[] = [
  { event: 'thread.run.created', data: run('queued') },
  { event: 'thread.run.in_progress', data: run('in_progress') },
  { event: 'thread.run.step.created', data: step },
  { event: 'thread.message.created', data: message },
];

function tracked(events: AssistantStreamEvent[]) {
  const tracker = new RelayTracker();
  for (const event of events) tracker.observe(event);
  return tracker;
}

describe('RelayTracker.closing', () => {
  it.each([
    {
      name: 'a cancel with the server’s final run',
      outcome: 'cancelled' as const,
      finalRun: run('cancelled'),
      expected: ['thread.message.incomplete', 'thread.run.step.cancelled', 'thread.run.cancelled'],
      reason: 'run_cancelled',
    },
    {
      name: 'a cancel the server never confirmed',
      outcome: 'cancelled' as const,
      finalRun: run('cancelling'),
      expected: ['thread.message.incomplete', 'thread.run.step.cancelled', 'thread.run.cancelled'],
      reason: 'run_cancelled',
    },
    {
      name: 'a run that completed before the cancel landed',
      outcome: 'cancelled' as const,
      finalRun: run('completed'),
      expected: ['thread.message.incomplete', 'thread.run.step.cancelled', 'thread.run.completed'],
      reason: 'run_cancelled',
    },
    {
      name: 'a broken stream',
      outcome: 'failed' as const,
      finalRun: undefined,
      expected: ['thread.message.incomplete', 'thread.run.step.failed', 'thread.run.failed'],
      reason: 'run_failed',
    },
  ])('closes $name', ({ outcome, finalRun, expected, reason }) => {
    const events = tracked(midAnswer).closing(outcome, 5, finalRun);
    expect(events.map((event) => event.event)).toEqual(expected);
    expect(events[0]?.data).toMatchObject({ status: 'incomplete', incomplete_details: { reason } });
  });

  it('adds nothing once the server ended the run', () => {
    const tracker = tracked([...midAnswer, { event: 'thread.run.completed', data: run('completed') }]);
    expect(tracker.isEnded).toBe(true);
    expect(tracker.closing('cancelled', 5)).toEqual([]);
  });

  it('treats requires_action as the end of a stream', () => {
    expect(tracked([{ event: 'thread.run.requires_action', data: run('requires_action') }]).isEnded).toBe(
      true,
    );
  });

  it('forgets messages and steps the server closed itself', () => {
    const tracker = tracked([
      ...midAnswer,
      { event: 'thread.message.completed', data: { ...message, status: 'completed' } },
      { event: 'thread.run.step.completed', data: { ...step, status: 'completed' } },
    ]);
    expect(tracker.closing('cancelled', 5).map((event) => event.event)).toEqual(['thread.run.cancelled']);
  });
});
