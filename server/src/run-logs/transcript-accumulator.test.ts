import type { AssistantStreamEvent, Message, Run, RunStep } from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../../test/helpers/assistants-objects.js';
import { TranscriptAccumulator, type StreamOutcome } from './transcript-accumulator.js';

const run = (status: Run['status'], usage: Run['usage'] = null): Run => runFixture(status, { usage });

const message = (status: Message['status'], value: string, marker?: string): Message => ({
  id: 'msg_1',
  object: 'thread.message',
  created_at: 1_700_000_001,
  thread_id: 'thread_1',
  status,
  incomplete_details: null,
  completed_at: null,
  incomplete_at: null,
  role: 'assistant',
  content: [
    {
      type: 'text',
      text: {
        value,
        annotations: marker
          ? [
              {
                type: 'file_citation',
                text: marker,
                start_index: value.indexOf(marker),
                end_index: value.indexOf(marker) + marker.length,
                file_citation: { file_id: 'file_a', quote: 'the quote' },
              },
            ]
          : [],
      },
    },
  ],
  assistant_id: 'asst_1',
  run_id: 'run_1',
  attachments: null,
  metadata: {},
});

const searchStep: RunStep = {
  id: 'step_1',
  object: 'thread.run.step',
  created_at: 1_700_000_000,
  assistant_id: 'asst_1',
  thread_id: 'thread_1',
  run_id: 'run_1',
  type: 'tool_calls',
  status: 'completed',
  step_details: {
    type: 'tool_calls',
    tool_calls: [
      {
        id: 'call_1',
        type: 'file_search',
        file_search: { results: [{ file_id: 'file_a', file_name: 'handbook.md', score: 0.9 }] },
      },
    ],
  },
  last_error: null,
  expired_at: null,
  cancelled_at: null,
  failed_at: null,
  completed_at: 1_700_000_000,
  metadata: {},
  usage: null,
};

const delta = (value: string, annotation?: { marker: string; start: number }): AssistantStreamEvent => ({
  event: 'thread.message.delta',
  data: {
    id: 'msg_1',
    object: 'thread.message.delta',
    delta: {
      content: [
        {
          index: 0,
          type: 'text',
          text: {
            value,
            ...(annotation
              ? {
                  annotations: [
                    {
                      index: 0,
                      type: 'file_citation' as const,
                      text: annotation.marker,
                      start_index: annotation.start,
                      end_index: annotation.start + annotation.marker.length,
                      file_citation: { file_id: 'file_a' },
                    },
                  ],
                }
              : {}),
          },
        },
      ],
    },
  },
});

const marker = '【4:0†source】';
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };
const now = new Date('2026-01-01T00:00:00.000Z');

type Case = {
  name: string;
  events: AssistantStreamEvent[];
  outcome: StreamOutcome;
  expected: { text: string; runStatus: string; citations: number; completedAt: string | null } | null;
};

const cases: Case[] = [
  { name: 'no run yet → nothing to record', events: [], outcome: 'stopped', expected: null },
  {
    name: 'completed run: final message wins over deltas',
    events: [
      { event: 'thread.run.created', data: run('queued') },
      { event: 'thread.run.step.completed', data: searchStep },
      { event: 'thread.message.created', data: message('in_progress', '') },
      delta('Hel'),
      delta('lo'),
      { event: 'thread.message.completed', data: message('completed', `Hello ${marker}`, marker) },
      { event: 'thread.run.completed', data: run('completed', usage) },
    ],
    outcome: 'ended',
    expected: {
      text: `Hello ${marker}`,
      runStatus: 'completed',
      citations: 1,
      completedAt: now.toISOString(),
    },
  },
  {
    name: 'client left mid-answer: partial text kept, marked cancelled',
    events: [
      { event: 'thread.run.created', data: run('queued') },
      { event: 'thread.run.in_progress', data: run('in_progress') },
      { event: 'thread.message.created', data: message('in_progress', '') },
      delta('Partial ', { marker, start: 0 }),
    ],
    outcome: 'stopped',
    expected: { text: 'Partial ', runStatus: 'cancelled', citations: 1, completedAt: now.toISOString() },
  },
  {
    name: 'engine cancelled: incomplete message without text keeps the streamed text',
    events: [
      { event: 'thread.run.created', data: run('queued') },
      { event: 'thread.message.created', data: message('in_progress', '') },
      delta('Some'),
      { event: 'thread.message.incomplete', data: message('incomplete', '') },
      { event: 'thread.run.cancelled', data: run('cancelled') },
    ],
    outcome: 'ended',
    expected: { text: 'Some', runStatus: 'cancelled', citations: 0, completedAt: now.toISOString() },
  },
  {
    name: 'engine threw after the run began → failed',
    events: [{ event: 'thread.run.created', data: run('in_progress') }, delta('x')],
    outcome: 'failed',
    expected: { text: 'x', runStatus: 'failed', citations: 0, completedAt: now.toISOString() },
  },
  {
    name: 'error event ends an in-progress run → failed',
    events: [
      { event: 'thread.run.in_progress', data: run('in_progress') },
      { event: 'error', data: { code: 'upstream_error', message: 'boom' } },
    ],
    outcome: 'ended',
    expected: { text: '', runStatus: 'failed', citations: 0, completedAt: now.toISOString() },
  },
  {
    name: 'requires_action is kept as such (the continuation records the rest)',
    events: [{ event: 'thread.run.requires_action', data: run('requires_action') }],
    outcome: 'ended',
    expected: { text: '', runStatus: 'requires_action', citations: 0, completedAt: now.toISOString() },
  },
];

describe('TranscriptAccumulator', () => {
  it.each(cases)('$name', ({ events, outcome, expected }) => {
    const accumulator = new TranscriptAccumulator();
    for (const event of events) accumulator.push(event);
    const result = accumulator.toTranscriptMessage('thread_1', outcome, now);
    if (expected === null) return expect(result).toBeNull();
    expect(result).toMatchObject({
      threadId: 'thread_1',
      role: 'assistant',
      runId: 'run_1',
      model: 'local-extractive',
      text: expected.text,
      runStatus: expected.runStatus,
      completedAt: expected.completedAt,
    });
    expect(result?.citations).toHaveLength(expected.citations);
  });

  it('maps citations with marker, offsets, file, name and quote, and usage', () => {
    const accumulator = new TranscriptAccumulator();
    const startedAt = Date.now();
    const events: AssistantStreamEvent[] = [
      { event: 'thread.run.created', data: run('queued') },
      { event: 'thread.run.step.completed', data: searchStep },
      { event: 'thread.message.completed', data: message('completed', `See ${marker}.`, marker) },
      { event: 'thread.run.completed', data: run('completed', usage) },
    ];
    for (const event of events) accumulator.push(event);
    const result = accumulator.toTranscriptMessage('thread_1', 'ended', now);
    expect(result?.id).toBe('msg_1');
    // Millisecond time of first sight, not the engine's whole seconds: it orders the transcript.
    expect(Date.parse(result?.createdAt ?? '')).toBeGreaterThanOrEqual(startedAt);
    expect(result?.citations).toEqual([
      {
        index: 1,
        marker,
        startIndex: 4,
        endIndex: 4 + marker.length,
        fileId: 'file_a',
        fileName: 'handbook.md',
        quote: 'the quote',
      },
    ]);
    expect(result?.usage).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15 });
  });
});
