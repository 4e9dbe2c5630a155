import { inProgressRunStep, type Message, type RunStep } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../../test/helpers/assistants-objects.js';
import { conversationItems, type RunTrace } from './conversation-items.js';

const message = (id: string, role: Message['role'], value: string, runId: string | null = null): Message => ({
  id,
  object: 'thread.message',
  created_at: 1,
  thread_id: 'thread_1',
  status: 'completed',
  incomplete_details: null,
  completed_at: 1,
  incomplete_at: null,
  role,
  content: [{ type: 'text', text: { value, annotations: [] } }],
  assistant_id: null,
  run_id: runId,
  attachments: [],
  metadata: {},
});

const step = (id: string, runId: string, details: RunStep['step_details']): RunStep => ({
  ...inProgressRunStep({ id, createdAt: 1, assistantId: 'asst_1', threadId: 'thread_1', runId, details }),
  status: 'completed',
});

const searchStep = (id: string, runId: string) =>
  step(id, runId, {
    type: 'tool_calls',
    tool_calls: [
      {
        id: `call_${id}`,
        type: 'file_search',
        file_search: {
          results: [
            { file_id: 'file_a', file_name: 'a.md', score: 0.5, content: [{ type: 'text', text: 'A' }] },
          ],
        },
      },
    ],
  });

const answerStep = (id: string, runId: string, messageId: string) =>
  step(id, runId, { type: 'message_creation', message_creation: { message_id: messageId } });

const callStep = (id: string, runId: string, output: string | null) =>
  step(id, runId, {
    type: 'tool_calls',
    tool_calls: [
      { id: 'call_weather', type: 'function', function: { name: 'get_weather', arguments: '{}', output } },
    ],
  });

const trace = (
  id: string,
  steps: RunStep[],
  messageIndex: number | null,
  query: string | null = 'q',
): RunTrace => ({
  run: runFixture('completed', { id }),
  steps,
  query,
  messageIndex,
});

const idsOf = (items: Array<{ id: string }>) => items.map((item) => item.id);

describe('conversationItems', () => {
  it('interleaves questions with each run’s search and answer, in the order they happened', () => {
    const items = conversationItems({
      messages: [
        message('msg_q1', 'user', 'First?'),
        message('msg_a1', 'assistant', 'One.', 'run_1'),
        message('msg_q2', 'user', 'Second?'),
        message('msg_a2', 'assistant', 'Two.', 'run_2'),
      ],
      runs: [
        trace('run_1', [searchStep('step_s1', 'run_1'), answerStep('step_m1', 'run_1', 'msg_a1')], 1),
        trace('run_2', [searchStep('step_s2', 'run_2'), answerStep('step_m2', 'run_2', 'msg_a2')], 3),
      ],
      isResultsShown: false,
    });
    expect(idsOf(items)).toEqual(['msg_q1', 'fs_s1', 'msg_a1', 'msg_q2', 'fs_s2', 'msg_a2']);
    expect(items[1]).toEqual({
      type: 'file_search_call',
      id: 'fs_s1',
      status: 'completed',
      queries: ['q'],
      results: null,
    });
    expect(items[0]).toMatchObject({ role: 'user', content: [{ type: 'input_text', text: 'First?' }] });
    expect(items[2]).toMatchObject({ role: 'assistant', content: [{ type: 'output_text', text: 'One.' }] });
  });

  it('shows a function call, its output and the answer after it; a run still waiting shows its call alone', () => {
    const items = conversationItems({
      messages: [
        message('msg_q1', 'user', 'Weather?'),
        message('msg_a1', 'assistant', 'Sunny.', 'run_1'),
        message('msg_q2', 'user', 'Tomorrow?'),
      ],
      runs: [
        trace('run_1', [callStep('step_c1', 'run_1', 'sunny'), answerStep('step_m1', 'run_1', 'msg_a1')], 1),
        trace('run_2', [{ ...callStep('step_c2', 'run_2', null), status: 'in_progress' }], 3),
      ],
      isResultsShown: true,
    });
    expect(items.map((item) => `${item.type}:${item.id}`)).toEqual([
      'message:msg_q1',
      'function_call:fc_weather',
      'function_call_output:fco_weather',
      'message:msg_a1',
      'message:msg_q2',
      'function_call:fc_weather',
    ]);
    expect(items[2]).toMatchObject({ call_id: 'call_weather', output: 'sunny' });
  });

  it('shows results when asked, and leaves out runs that never began', () => {
    const items = conversationItems({
      messages: [message('msg_q1', 'user', 'A?')],
      runs: [trace('run_0', [], null, null), trace('run_1', [searchStep('step_s1', 'run_1')], 1)],
      isResultsShown: true,
      attributesOf: () => ({ region: 'eu' }),
    });
    expect(idsOf(items)).toEqual(['msg_q1', 'fs_s1']);
    expect(items[1]).toMatchObject({
      results: [{ file_id: 'file_a', filename: 'a.md', score: 0.5, text: 'A', attributes: { region: 'eu' } }],
    });
  });
});
