import {
  inProgressRunStep,
  responseStreamEventSchema,
  type AssistantStreamEvent,
  type Message,
  type ResponseObject,
  type ResponseStreamEvent,
  type RunStep,
} from '@threadline/shared';
import { describe, expect, it } from 'vitest';
import { runFixture } from '../../test/helpers/assistants-objects.js';
import { ResponseEventMapper } from './response-event-mapper.js';

const response: ResponseObject = {
  id: 'resp_1',
  object: 'response',
  created_at: 1_700_000_000,
  status: 'in_progress',
  completed_at: null,
  background: false,
  error: null,
  incomplete_details: null,
  instructions: null,
  max_output_tokens: null,
  max_tool_calls: null,
  model: 'threadline-extractive',
  output: [],
  parallel_tool_calls: true,
  previous_response_id: null,
  conversation: null,
  reasoning: { effort: null, summary: null },
  service_tier: 'default',
  store: true,
  temperature: 1,
  text: { format: { type: 'text' }, verbosity: 'medium' },
  tool_choice: 'auto',
  tools: [],
  top_logprobs: 0,
  top_p: 1,
  truncation: 'disabled',
  usage: null,
  user: null,
  safety_identifier: null,
  prompt_cache_key: null,
  metadata: {},
};

const searchStep = (results: Array<{ file_id: string; file_name: string }>): RunStep =>
  inProgressRunStep({
    id: 'step_search',
    createdAt: 1,
    assistantId: 'asst_1',
    threadId: 'thread_1',
    runId: 'run_1',
    details: {
      type: 'tool_calls',
      tool_calls: [
        {
          id: 'call_search',
          type: 'file_search',
          file_search: {
            results: results.map((result) => ({
              ...result,
              score: 0.9,
              content: [{ type: 'text' as const, text: 'The hotel cap is 150 euros.' }],
            })),
          },
        },
      ],
    },
  });

const message = (
  status: Message['status'],
  value: string,
  markers: Array<[number, string]> = [],
): Message => ({
  id: 'msg_answer',
  object: 'thread.message',
  created_at: 1,
  thread_id: 'thread_1',
  status,
  incomplete_details: status === 'incomplete' ? { reason: 'run_cancelled' } : null,
  completed_at: null,
  incomplete_at: null,
  role: 'assistant',
  content: [
    {
      type: 'text',
      text: {
        value,
        annotations: markers.map(([start, marker]) => ({
          type: 'file_citation' as const,
          text: marker,
          start_index: start,
          end_index: start + marker.length,
          file_citation: { file_id: 'file_hotels' },
        })),
      },
    },
  ],
  assistant_id: 'asst_1',
  run_id: 'run_1',
  attachments: [],
  metadata: {},
});

const marker = '【0:0†hotels.md】';
const delta = (value: string, annotation?: { index: number; at: number }): AssistantStreamEvent => ({
  event: 'thread.message.delta',
  data: {
    id: 'msg_answer',
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
                      index: annotation.index,
                      type: 'file_citation' as const,
                      text: marker,
                      start_index: annotation.at,
                      end_index: annotation.at + marker.length,
                      file_citation: { file_id: 'file_hotels' },
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

const completedSearch = searchStep([{ file_id: 'file_hotels', file_name: 'hotels.md' }]);
const answered = 'The cap is 150 euros.';
const answerEvents: AssistantStreamEvent[] = [
  { event: 'thread.run.created', data: runFixture('queued') },
  { event: 'thread.run.queued', data: runFixture('queued') },
  { event: 'thread.run.in_progress', data: runFixture('in_progress') },
  { event: 'thread.run.step.created', data: searchStep([]) },
  { event: 'thread.run.step.in_progress', data: searchStep([]) },
  { event: 'thread.run.step.completed', data: { ...completedSearch, status: 'completed' } },
  { event: 'thread.message.created', data: message('in_progress', '') },
  { event: 'thread.message.in_progress', data: message('in_progress', '') },
  delta('The cap is 150 euros.'),
  delta(marker, { index: 0, at: answered.length }),
  {
    event: 'thread.message.completed',
    data: message('completed', answered + marker, [[answered.length, marker]]),
  },
  {
    event: 'thread.run.completed',
    data: runFixture('completed', { usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } }),
  },
];

const mapAll = (mapper: ResponseEventMapper, events: AssistantStreamEvent[]) => [
  ...mapper.begin(),
  ...events.flatMap((event) => mapper.map(event)),
];

const typesOf = (events: ResponseStreamEvent[]) => events.map((event) => event.type);

describe('ResponseEventMapper', () => {
  it('maps a file_search answer to OpenAI’s event order, numbered from 0, citations out of the text', () => {
    const mapper = new ResponseEventMapper({ response, queries: ['hotel cap'], isResultsShown: true });
    const events = mapAll(mapper, answerEvents);
    for (const event of events) expect(responseStreamEventSchema.safeParse(event).success).toBe(true);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, index) => index));
    expect(typesOf(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.file_search_call.in_progress',
      'response.file_search_call.searching',
      'response.file_search_call.completed',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.annotation.added',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const annotation = events.find((event) => event.type === 'response.output_text.annotation.added');
    expect(annotation).toMatchObject({
      output_index: 1,
      content_index: 0,
      annotation_index: 0,
      annotation: {
        type: 'file_citation',
        file_id: 'file_hotels',
        filename: 'hotels.md',
        index: answered.length,
      },
    });
    const completed = events.at(-1);
    if (completed?.type !== 'response.completed') throw new Error('no response.completed');
    expect(completed.response.status).toBe('completed');
    expect(completed.response.usage).toMatchObject({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    expect(completed.response.output).toEqual([
      {
        type: 'file_search_call',
        id: 'fs_search',
        status: 'completed',
        queries: ['hotel cap'],
        results: [
          {
            file_id: 'file_hotels',
            filename: 'hotels.md',
            score: 0.9,
            text: 'The hotel cap is 150 euros.',
            attributes: {},
          },
        ],
      },
      {
        type: 'message',
        id: 'msg_answer',
        status: 'completed',
        role: 'assistant',
        content: [
          {
            type: 'output_text',
            text: answered,
            annotations: [
              {
                type: 'file_citation',
                file_id: 'file_hotels',
                filename: 'hotels.md',
                index: answered.length,
              },
            ],
            logprobs: [],
          },
        ],
      },
    ]);
  });

  it('shows a file search’s results only when asked', () => {
    const mapper = new ResponseEventMapper({ response, queries: ['hotel cap'], isResultsShown: false });
    mapAll(mapper, answerEvents);
    expect(mapper.current.output[0]).toMatchObject({
      type: 'file_search_call',
      status: 'completed',
      results: null,
    });
  });

  it('opens a background response with response.queued', () => {
    const mapper = new ResponseEventMapper({
      response: { ...response, status: 'queued', background: true },
      queries: [],
      isResultsShown: false,
    });
    expect(typesOf(mapper.begin())).toEqual(['response.created', 'response.queued']);
    expect(mapper.map({ event: 'thread.run.in_progress', data: runFixture('in_progress') })[0]).toMatchObject(
      {
        type: 'response.in_progress',
        sequence_number: 2,
        response: { status: 'in_progress' },
      },
    );
  });

  it('ends a run waiting for function outputs as a completed response with the calls and their arguments', () => {
    const call = {
      id: 'call_weather',
      type: 'function' as const,
      function: { name: 'get_weather', arguments: '' },
    };
    const step = inProgressRunStep({
      id: 'step_calls',
      createdAt: 1,
      assistantId: 'asst_1',
      threadId: 'thread_1',
      runId: 'run_1',
      details: { type: 'tool_calls', tool_calls: [call] },
    });
    const argumentsDelta = (piece: string): AssistantStreamEvent => ({
      event: 'thread.run.step.delta',
      data: {
        id: 'step_calls',
        object: 'thread.run.step.delta',
        delta: {
          step_details: {
            type: 'tool_calls',
            tool_calls: [{ index: 0, type: 'function', function: { arguments: piece } }],
          },
        },
      },
    });
    const waiting = runFixture('requires_action', {
      required_action: {
        type: 'submit_tool_outputs',
        submit_tool_outputs: {
          tool_calls: [{ ...call, function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }],
        },
      },
    });
    const mapper = new ResponseEventMapper({ response, queries: [], isResultsShown: false });
    const events = mapAll(mapper, [
      { event: 'thread.run.in_progress', data: runFixture('in_progress') },
      { event: 'thread.run.step.created', data: step },
      argumentsDelta('{"city":'),
      argumentsDelta('"Oslo"}'),
      { event: 'thread.run.requires_action', data: waiting },
    ]);
    expect(typesOf(events)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.delta',
      'response.function_call_arguments.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events[5]).toMatchObject({
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
      item_id: 'fc_weather',
    });
    expect(mapper.current.output).toEqual([
      {
        type: 'function_call',
        id: 'fc_weather',
        call_id: 'call_weather',
        name: 'get_weather',
        arguments: '{"city":"Oslo"}',
        status: 'completed',
      },
    ]);
    expect(mapper.current.status).toBe('completed');
  });

  it('ends a cancelled run with response.incomplete whose status is cancelled, the partial answer kept', () => {
    const mapper = new ResponseEventMapper({ response, queries: [], isResultsShown: false });
    const events = mapAll(mapper, [
      { event: 'thread.run.in_progress', data: runFixture('in_progress') },
      { event: 'thread.message.created', data: message('in_progress', '') },
      delta('The cap'),
      { event: 'thread.message.incomplete', data: message('incomplete', 'The cap') },
      { event: 'thread.run.cancelled', data: runFixture('cancelled') },
    ]);
    expect(typesOf(events).slice(-4)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.incomplete',
    ]);
    expect(mapper.current).toMatchObject({
      status: 'cancelled',
      output: [{ type: 'message', status: 'incomplete', content: [{ text: 'The cap' }] }],
    });
    expect(mapper.map({ event: 'thread.run.completed', data: runFixture('completed') })).toEqual([]);
  });

  it('ends a failed run with response.failed and its error', () => {
    const failed: AssistantStreamEvent = {
      event: 'thread.run.failed',
      data: runFixture('failed', { last_error: { code: 'rate_limit_exceeded', message: 'slow down' } }),
    };
    const mapper = new ResponseEventMapper({ response, queries: [], isResultsShown: false });
    const events = mapAll(mapper, [
      { event: 'thread.run.in_progress', data: runFixture('in_progress') },
      failed,
    ]);
    expect(events.at(-1)).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'rate_limit_exceeded', message: 'slow down' } },
    });
  });

  it('closes what is open when the stream ends without a terminal run event', () => {
    const mapper = new ResponseEventMapper({ response, queries: [], isResultsShown: false });
    mapAll(mapper, [
      { event: 'thread.run.in_progress', data: runFixture('in_progress') },
      { event: 'thread.message.created', data: message('in_progress', '') },
      delta('Partial'),
    ]);
    const failed = mapper.finish('failed', { code: 'server_error', message: 'engine failed' });
    expect(typesOf(failed)).toEqual([
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.failed',
    ]);
    expect(mapper.current).toMatchObject({ status: 'failed', error: { code: 'server_error' } });
    expect(mapper.finish('stopped')).toEqual([]);
  });
});
