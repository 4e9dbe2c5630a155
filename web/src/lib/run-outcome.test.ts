import type { AssistantStreamEvent } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { answerEvents, citation, delta, done, message, runEvent } from '../test/events.js';
import {
  answerText,
  initialRunState,
  isRunBusy,
  runReducer,
  type RunAction,
  type RunState,
} from './run-outcome.js';

const play = (actions: RunAction[]): RunState => actions.reduce(runReducer, initialRunState);
const events = (list: AssistantStreamEvent[], at = 10): RunAction[] =>
  list.map((event, index) => ({ type: 'event', event, at: at + index }));
const start: RunAction = { type: 'start', at: 0, threadId: null };

describe('runReducer outcomes', () => {
  it.each([
    ['completed', [runEvent('thread.run.completed')], 'completed', false],
    [
      'failed',
      [runEvent('thread.run.failed', { last_error: { code: 'server_error', message: 'boom' } })],
      'failed',
      true,
    ],
    ['cancelled', [runEvent('thread.run.cancelling'), runEvent('thread.run.cancelled')], 'cancelled', false],
    ['expired', [runEvent('thread.run.expired')], 'expired', true],
    [
      'incomplete',
      [runEvent('thread.run.incomplete', { incomplete_details: { reason: 'max_tokens' } })],
      'incomplete',
      true,
    ],
    ['error event', [{ event: 'error', data: { code: 'x', message: 'engine broke' } }], 'error', true],
  ] as const)('%s ends the run and frees the input', (_name, end, outcome, hasProblem) => {
    const state = play([
      start,
      ...events(answerEvents(['Hi'], [...end, done])),
      { type: 'stream-ended', at: 99 },
    ]);
    expect(state.outcome).toBe(outcome);
    expect(isRunBusy(state)).toBe(false);
    expect(state.problem !== null).toBe(hasProblem);
    expect(answerText(state)).toBe('Hi');
  });

  it('calls a stream that ends without a terminal event dropped', () => {
    const state = play([start, ...events(answerEvents(['Par'], [])), { type: 'stream-ended', at: 50 }]);
    expect(state).toMatchObject({ outcome: 'dropped', phase: 'finished', endedAt: 50 });
    expect(state.problem?.title).toMatch(/dropped/);
  });

  it('treats a stop as cancelled, keeping the partial answer', () => {
    const state = play([start, ...events(answerEvents(['Partial'], [])), { type: 'aborted', at: 40 }]);
    expect(state).toMatchObject({ outcome: 'cancelled', problem: null });
    expect(answerText(state)).toBe('Partial');
  });

  it.each([
    ['network', 'dropped'],
    ['http', 'error'],
    ['protocol', 'error'],
  ] as const)('a %s failure ends as %s with the message shown', (kind, outcome) => {
    const state = play([start, { type: 'failed', kind, message: 'what to do', at: 5 }]);
    expect(state.outcome).toBe(outcome);
    expect(state.problem?.detail).toBe('what to do');
    expect(isRunBusy(state)).toBe(false);
  });

  it('keeps the tool calls a run asks for', () => {
    const requiresAction = runEvent('thread.run.requires_action', {
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: [
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Oslo"}' },
            },
          ],
        },
      },
    });
    const state = play([start, ...events([runEvent('thread.run.created'), requiresAction])]);
    expect(state.outcome).toBe('requires_action');
    expect(state.toolCalls).toEqual([{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' }]);
  });
});

describe('runReducer content', () => {
  it('accumulates deltas, citations, thread id and timings', () => {
    const marker = '【4:0†guide.md】';
    const state = play([
      start,
      ...events([
        {
          event: 'thread.created',
          data: { id: 'thread_new', object: 'thread', created_at: 1, metadata: null },
        },
        ...answerEvents(['Hello', ` world${marker}`], []),
        delta('', [citation(marker, 11, 'file_1', 'quoted')]),
      ]),
    ]);
    expect(state.threadId).toBe('thread_test'); // the run's thread wins over the announcement
    expect(answerText(state)).toBe(`Hello world${marker}`);
    expect(state.messages[0]?.citations).toEqual([
      {
        marker,
        startIndex: 11,
        endIndex: 11 + marker.length,
        fileId: 'file_1',
        fileName: null,
        quote: 'quoted',
      },
    ]);
    expect(state.firstTokenAt).toBe(14);
    expect(isRunBusy(state)).toBe(true);
  });

  it('replaces streamed text with the completed message', () => {
    const marker = '【1†a.md】';
    const completed: AssistantStreamEvent = {
      event: 'thread.message.completed',
      data: message(`Final${marker}`, [citation(marker, 5, 'file_a', 'q')]),
    };
    const state = play([
      start,
      ...events([...answerEvents(['Fin'], []), completed, runEvent('thread.run.completed')]),
    ]);
    expect(answerText(state)).toBe(`Final${marker}`);
    expect(state.messages[0]?.citations[0]).toMatchObject({ fileId: 'file_a', startIndex: 5, quote: 'q' });
  });

  it('ignores run events after the outcome is known but still takes the final message', () => {
    const state = play([
      start,
      ...events([
        ...answerEvents(['A'], [runEvent('thread.run.cancelled')]),
        runEvent('thread.run.in_progress'),
      ]),
      { type: 'event', event: { event: 'thread.message.completed', data: message('AB') }, at: 60 },
      { type: 'aborted', at: 70 },
    ]);
    expect(state.outcome).toBe('cancelled');
    expect(answerText(state)).toBe('AB');
  });
});
