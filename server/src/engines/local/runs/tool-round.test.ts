import { inProgressRunStep, type FunctionToolCall } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { completedToolStep, toolRoundOf } from './tool-round.js';

const call = (id: string, name: string): FunctionToolCall => ({
  id,
  type: 'function',
  function: { name, arguments: `{"id":"${id}"}` },
});
const calls = [call('call_a', 'weather'), call('call_b', 'clock')];
const waitingStep = inProgressRunStep({
  id: 'step_1',
  createdAt: 1,
  assistantId: 'asst_1',
  threadId: 'thread_1',
  runId: 'run_1',
  details: {
    type: 'tool_calls',
    tool_calls: calls.map((pending) => ({ ...pending, function: { ...pending.function, output: null } })),
  },
});

describe('completedToolStep', () => {
  it.each<[string, { tool_call_id: string; output: string }[], string[]]>([
    [
      'each call gets its own output, in call order',
      [
        { tool_call_id: 'call_b', output: '12:00' },
        { tool_call_id: 'call_a', output: 'sunny' },
      ],
      ['sunny', '12:00'],
    ],
    ['a call without output gets an empty one', [{ tool_call_id: 'call_a', output: 'sunny' }], ['sunny', '']],
  ])('%s', (_name, outputs, expected) => {
    const step = completedToolStep(waitingStep, calls, outputs);
    expect(step).toMatchObject({ id: 'step_1', status: 'in_progress' });
    const details = step.step_details;
    expect(
      details.type === 'tool_calls' &&
        details.tool_calls.map((done) => done.type === 'function' && done.function.output),
    ).toEqual(expected);
  });
});

describe('toolRoundOf', () => {
  it('keeps the calls as the model made them, with the outputs given', () => {
    const outputs = [{ tool_call_id: 'call_a', output: 'sunny' }];
    expect(toolRoundOf(calls, outputs)).toEqual({
      calls: [
        { id: 'call_a', name: 'weather', arguments: '{"id":"call_a"}' },
        { id: 'call_b', name: 'clock', arguments: '{"id":"call_b"}' },
      ],
      outputs,
    });
  });
});
