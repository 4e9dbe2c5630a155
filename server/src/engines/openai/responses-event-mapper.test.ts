import { encodeNdjsonEvent, type AssistantStreamEvent } from '@threadline/shared';
import { AssistantStream } from 'openai/lib/AssistantStream';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { describe, expect, it } from 'vitest';
import {
  assistantsStreamProblems,
  finalMessage,
  streamedText,
  textOf,
} from '../../../test/helpers/assistants-stream-checks.js';
import { readOpenAIFixtureEvents } from '../../../test/helpers/openai-fixtures.js';
import { ResponsesEventMapper } from './responses-event-mapper.js';

const threadId = 'conv_68e4b1c2a5d08190b1f2c3d4e5f60718';
const newMapper = (overrides: Partial<ConstructorParameters<typeof ResponsesEventMapper>[0]> = {}) =>
  new ResponsesEventMapper({
    threadId,
    now: () => 1_760_000_000,
    placeholder: { model: 'gpt-4.1-mini', instructions: null, tools: [{ type: 'file_search' }] },
    ...overrides,
  });

const mapAll = (mapper: ResponsesEventMapper, events: readonly ResponseStreamEvent[]) =>
  events.flatMap((event) => mapper.map(event));
const names = (events: readonly AssistantStreamEvent[]) => events.map((event) => event.event);

describe('ResponsesEventMapper over recorded Responses streams', () => {
  it('maps a plain answer in the Assistants order', async () => {
    const events = mapAll(newMapper(), await readOpenAIFixtureEvents('plain-answer.sse'));
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(names(events).filter((name) => name !== 'thread.message.delta')).toEqual([
      'thread.run.created',
      'thread.run.queued',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.completed',
      'thread.run.step.completed',
      'thread.run.completed',
    ]);
    const message = finalMessage(events);
    expect(textOf(message)).toBe('Hello! How can I help you today?');
    expect(streamedText(events).get('msg_68e4b2a2b3c48190aabbccddeeff0011')).toBe(textOf(message));
    const last = events.at(-1);
    expect(last?.event === 'thread.run.completed' && last.data).toMatchObject({
      id: 'resp_68e4b2a1f0c88190a3b4c5d6e7f80912',
      thread_id: threadId,
      status: 'completed',
      model: 'gpt-4.1-mini-2025-04-14',
      usage: { prompt_tokens: 412, completion_tokens: 10, total_tokens: 422 },
    });
  });

  it('maps file_search to a tool_calls step and citations to markers with exact indices', async () => {
    const events = mapAll(newMapper(), await readOpenAIFixtureEvents('file-search-citations.sse'));
    expect(assistantsStreamProblems(events)).toEqual([]);
    const steps = events.flatMap((event) =>
      event.event === 'thread.run.step.created' || event.event === 'thread.run.step.completed'
        ? [`${event.event}:${event.data.type}`]
        : [],
    );
    expect(steps).toEqual([
      'thread.run.step.created:tool_calls',
      'thread.run.step.completed:tool_calls',
      'thread.run.step.created:message_creation',
      'thread.run.step.completed:message_creation',
    ]);
    const searchStep = events.find((event) => event.event === 'thread.run.step.completed');
    const details =
      searchStep?.event === 'thread.run.step.completed' ? searchStep.data.step_details : undefined;
    expect(details?.type === 'tool_calls' && details.tool_calls[0]).toMatchObject({
      type: 'file_search',
      file_search: {
        results: [
          { file_id: 'file-Hb7Rk2mQd9Xw3YpLz8Tn4C', file_name: 'handbook.md', score: 0.9214 },
          { file_id: 'file-Q4mWc8Jr2Ty6Nb1Vx5Ks9P', file_name: 'leave-policy.pdf', score: 0.8127 },
        ],
      },
    });

    const message = finalMessage(events);
    const text = textOf(message);
    expect(text).toBe(
      'You get 25 days of annual leave.【0:0†handbook.md】 Up to 5 unused days carry over.【1:0†leave-policy.pdf】【0:1†handbook.md】',
    );
    expect(streamedText(events).get('msg_68e4b3c9e4f08190d6e7f8091a2b3c4d')).toBe(text);
    const annotations = message?.content[0]?.type === 'text' ? message.content[0].text.annotations : [];
    expect(annotations.map((annotation) => text.slice(annotation.start_index, annotation.end_index))).toEqual(
      ['【0:0†handbook.md】', '【1:0†leave-policy.pdf】', '【0:1†handbook.md】'],
    );
    expect(
      annotations.map((annotation) =>
        annotation.type === 'file_citation' ? annotation.file_citation.file_id : '',
      ),
    ).toEqual(['file-Hb7Rk2mQd9Xw3YpLz8Tn4C', 'file-Q4mWc8Jr2Ty6Nb1Vx5Ks9P', 'file-Hb7Rk2mQd9Xw3YpLz8Tn4C']);
    // Delta annotations carry the same marker, numbered by their place in the message.
    const deltaAnnotations = events.flatMap((event) =>
      event.event === 'thread.message.delta' ? (event.data.delta.content[0]?.text?.annotations ?? []) : [],
    );
    expect(deltaAnnotations.map((annotation) => [annotation.index, annotation.start_index])).toEqual(
      annotations.map((annotation, index) => [index, annotation.start_index]),
    );
  });

  it('produces a stream openai-node AssistantStream accumulates without complaint', async () => {
    const events = mapAll(newMapper(), await readOpenAIFixtureEvents('file-search-citations.sse'));
    const body = new Blob(events.map((event) => encodeNdjsonEvent(event))).stream();
    const stream = AssistantStream.fromReadableStream(body);
    const [message] = await stream.finalMessages();
    expect(message?.content[0]?.type === 'text' && message.content[0].text.value).toBe(
      textOf(finalMessage(events)),
    );
    expect((await stream.finalRun()).status).toBe('completed');
  });

  it('turns an error event mid-stream into a failed run without upstream text', async () => {
    const events = mapAll(newMapper(), await readOpenAIFixtureEvents('error-mid-stream.sse'));
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(names(events).slice(-3)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.failed',
      'thread.run.failed',
    ]);
    expect(textOf(finalMessage(events))).toBe('The answer is');
    expect(finalMessage(events)?.incomplete_details).toEqual({ reason: 'run_failed' });
    const last = events.at(-1);
    expect(last?.event === 'thread.run.failed' && last.data.last_error?.code).toBe('server_error');
    expect(JSON.stringify(last)).not.toContain('req_9f8e7d6c5b4a');
  });

  it('maps response.incomplete to an incomplete message and run', async () => {
    const events = mapAll(newMapper(), await readOpenAIFixtureEvents('incomplete-max-tokens.sse'));
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(finalMessage(events)).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_tokens' },
    });
    const last = events.at(-1);
    expect(last?.event === 'thread.run.incomplete' && last.data.incomplete_details).toEqual({
      reason: 'max_output_tokens',
    });
  });

  it('maps a function call to requires_action with the call and its streamed arguments', async () => {
    const mapper = newMapper();
    const events = mapAll(mapper, await readOpenAIFixtureEvents('function-call.sse'));
    expect(assistantsStreamProblems(events)).toEqual([]);
    const argumentDeltas = events.flatMap((event) =>
      event.event === 'thread.run.step.delta'
        ? [event.data.delta.step_details?.tool_calls?.[0]?.function?.arguments ?? '']
        : [],
    );
    expect(argumentDeltas.join('')).toBe('{"city":"Paris"}');
    const last = events.at(-1);
    expect(last?.event === 'thread.run.requires_action' && last.data.required_action).toEqual({
      type: 'submit_tool_outputs',
      submit_tool_outputs: {
        tool_calls: [
          {
            id: 'call_Xy7Pq2Lm9Rt4Vb6N',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
          },
        ],
      },
    });
    expect(mapper.pendingToolSteps).toHaveLength(1);
  });

  it('streams the function call so openai-node accumulates it whole, id and arguments once', async () => {
    const events = mapAll(newMapper(), await readOpenAIFixtureEvents('function-call.sse'));
    const body = new Blob(events.map((event) => encodeNdjsonEvent(event))).stream();
    const done: unknown[] = [];
    const stream = AssistantStream.fromReadableStream(body).on('toolCallDone', (call) => done.push(call));
    expect((await stream.finalRun()).status).toBe('requires_action');
    expect(done).toHaveLength(1);
    expect(done).toMatchObject([
      {
        id: 'call_Xy7Pq2Lm9Rt4Vb6N',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}', output: null },
      },
    ]);
  });

  it('reports a continuation under the original run id and completes the tool step first', async () => {
    const first = newMapper();
    mapAll(first, await readOpenAIFixtureEvents('function-call.sse'));
    const originalRunId = first.runId ?? '';
    expect(originalRunId).toBe('resp_68e4b7f3e5f68190a2b3c4d5e6f70819');
    const continuation = newMapper({
      continuesRunId: originalRunId,
      completedToolSteps: first.pendingToolSteps,
    });
    const events = mapAll(continuation, await readOpenAIFixtureEvents('plain-answer.sse'));
    expect(names(events).slice(0, 3)).toEqual([
      'thread.run.step.completed',
      'thread.run.queued',
      'thread.run.in_progress',
    ]);
    expect(
      events.every(
        (event) =>
          typeof event.data !== 'object' || !('run_id' in event.data) || event.data.run_id === originalRunId,
      ),
    ).toBe(true);
    const last = events.at(-1);
    expect(last?.event === 'thread.run.completed' && last.data.id).toBe(originalRunId);
  });
});

describe('ResponsesEventMapper.cancel', () => {
  it('closes the open message as incomplete and ends with thread.run.cancelled', async () => {
    const recorded = await readOpenAIFixtureEvents('file-search-citations.sse');
    const cut = recorded.findIndex((event) => event.type === 'response.output_text.delta') + 3;
    const mapper = newMapper();
    const events = [...mapAll(mapper, recorded.slice(0, cut)), ...mapper.cancel()];
    expect(assistantsStreamProblems(events)).toEqual([]);
    expect(names(events).slice(-3)).toEqual([
      'thread.message.incomplete',
      'thread.run.step.cancelled',
      'thread.run.cancelled',
    ]);
    expect(textOf(finalMessage(events))).toBe('You get 25');
    expect(finalMessage(events)?.incomplete_details).toEqual({ reason: 'run_cancelled' });
    expect(mapper.cancel()).toEqual([]);
    expect(mapper.map(recorded.at(-1) as ResponseStreamEvent)).toEqual([]);
  });

  it('reports a run even when cancelled before OpenAI announced one', () => {
    const events = newMapper().cancel();
    expect(names(events)).toEqual(['thread.run.created', 'thread.run.cancelled']);
    expect(assistantsStreamProblems(events)).toEqual([]);
  });

  it('synthesises message.created when a delta arrives for an unannounced item', () => {
    const mapper = newMapper();
    const events = mapper.map({
      type: 'response.output_text.delta',
      item_id: 'msg_unannounced',
      output_index: 0,
      content_index: 0,
      delta: 'Hi',
      logprobs: [],
      sequence_number: 0,
    });
    expect(names(events)).toEqual([
      'thread.run.created',
      'thread.run.in_progress',
      'thread.run.step.created',
      'thread.run.step.in_progress',
      'thread.message.created',
      'thread.message.in_progress',
      'thread.message.delta',
    ]);
  });
});
