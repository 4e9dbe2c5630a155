import { textAndCitationsOf, type AssistantStreamEvent, type Message, type Usage } from '@threadline/shared';
import type { CitationRef } from './citations.js';

/** How a run ended, as far as this client could tell. `dropped`: the stream ended too early. */
export type RunOutcome =
  'completed' | 'failed' | 'cancelled' | 'expired' | 'incomplete' | 'requires_action' | 'error' | 'dropped';

export type AnswerMessage = { id: string; text: string; citations: CitationRef[] };
export type RequestedToolCall = { id: string; name: string; arguments: string };
export type RunProblem = { title: string; detail: string };

export type RunState = {
  phase: 'idle' | 'connecting' | 'streaming' | 'finished';
  outcome: RunOutcome | null;
  threadId: string | null;
  runId: string | null;
  /** The run's model: which kind of answer this is (quoted passages or a model's writing). */
  model: string | null;
  /** What the run is doing now, for a status line ("Searching the knowledge base…"). */
  activity: 'searching' | 'writing' | null;
  messages: AnswerMessage[];
  toolCalls: RequestedToolCall[];
  problem: RunProblem | null;
  usage: Usage | null;
  startedAt: number | null;
  firstTokenAt: number | null;
  endedAt: number | null;
};

export type RunAction =
  | { type: 'start'; at: number; threadId: string | null }
  | { type: 'thread'; threadId: string }
  | { type: 'event'; event: AssistantStreamEvent; at: number }
  | { type: 'stream-ended'; at: number }
  | { type: 'aborted'; at: number }
  | { type: 'failed'; kind: 'network' | 'http' | 'protocol'; message: string; at: number };

export const initialRunState: RunState = {
  phase: 'idle',
  outcome: null,
  threadId: null,
  runId: null,
  model: null,
  activity: null,
  messages: [],
  toolCalls: [],
  problem: null,
  usage: null,
  startedAt: null,
  firstTokenAt: null,
  endedAt: null,
};

export const isRunBusy = (state: RunState) => state.phase === 'connecting' || state.phase === 'streaming';
export const answerText = (state: RunState) => state.messages.map((message) => message.text).join('\n\n');

const finish = (state: RunState, outcome: RunOutcome, at: number, problem: RunProblem | null): RunState => ({
  ...state,
  phase: 'finished',
  outcome,
  activity: null,
  problem,
  endedAt: at,
});

export function citationsFromMessage(message: Message): { text: string; citations: CitationRef[] } {
  const { text, citations } = textAndCitationsOf(message);
  return { text, citations: citations.map((citation) => ({ ...citation, fileName: null })) };
}

const updateMessage = (state: RunState, id: string, update: (message: AnswerMessage) => AnswerMessage) => {
  const exists = state.messages.some((message) => message.id === id);
  const messages = exists ? state.messages : [...state.messages, { id, text: '', citations: [] }];
  return messages.map((message) => (message.id === id ? update(message) : message));
};

function applyEvent(state: RunState, event: AssistantStreamEvent, at: number): RunState {
  switch (event.event) {
    case 'thread.created':
      return { ...state, threadId: event.data.id };
    case 'thread.run.created':
    case 'thread.run.queued':
    case 'thread.run.in_progress':
    case 'thread.run.cancelling':
      return {
        ...state,
        phase: 'streaming',
        runId: event.data.id,
        threadId: event.data.thread_id,
        model: event.data.model,
      };
    case 'thread.run.requires_action':
      return finish(
        {
          ...state,
          toolCalls: (event.data.required_action?.submit_tool_outputs.tool_calls ?? []).map((call) => ({
            id: call.id,
            name: call.function.name,
            arguments: call.function.arguments,
          })),
        },
        'requires_action',
        at,
        null,
      );
    case 'thread.run.completed':
      return finish({ ...state, usage: event.data.usage }, 'completed', at, null);
    case 'thread.run.failed':
      return finish(state, 'failed', at, {
        title: 'The answer failed',
        detail: `${event.data.last_error?.message ?? 'The run failed without a reason.'} Retry; if it keeps failing, check the server log.`,
      });
    case 'thread.run.cancelled':
      return finish(state, 'cancelled', at, null);
    case 'thread.run.expired':
      return finish(state, 'expired', at, {
        title: 'The answer took too long',
        detail: 'The run expired before it finished. Retry, perhaps with a shorter question.',
      });
    case 'thread.run.incomplete':
      return finish({ ...state, usage: event.data.usage }, 'incomplete', at, {
        title: 'The answer is incomplete',
        detail: `It stopped early (${event.data.incomplete_details?.reason ?? 'no reason given'}). Retry or ask a narrower question.`,
      });
    case 'thread.run.step.created':
    case 'thread.run.step.in_progress':
      return event.data.step_details.type === 'tool_calls' ? { ...state, activity: 'searching' } : state;
    case 'thread.run.step.completed':
    case 'thread.run.step.failed':
    case 'thread.run.step.cancelled':
    case 'thread.run.step.expired':
    case 'thread.run.step.delta':
      return state;
    case 'thread.message.created':
    case 'thread.message.in_progress':
      if (event.data.role !== 'assistant') return state;
      return {
        ...state,
        activity: 'writing',
        messages: updateMessage(state, event.data.id, (message) => message),
      };
    case 'thread.message.completed':
    case 'thread.message.incomplete': {
      if (event.data.role !== 'assistant') return state;
      const complete = citationsFromMessage(event.data);
      return {
        ...state,
        messages: updateMessage(state, event.data.id, (message) => ({ ...message, ...complete })),
      };
    }
    case 'thread.message.delta':
      return applyDelta(state, event.data, at);
    case 'error':
      return finish(state, 'error', at, {
        title: 'The server reported an error',
        detail: `${event.data.message} Retry; if it keeps happening, check the server log.`,
      });
    case 'done':
      return state;
  }
}

function applyDelta(
  state: RunState,
  delta: Extract<AssistantStreamEvent, { event: 'thread.message.delta' }>['data'],
  at: number,
): RunState {
  let added = '';
  const messages = updateMessage(state, delta.id, (message) => {
    let { text } = message;
    const citations = [...message.citations];
    for (const part of delta.delta.content) {
      const value = part.text?.value ?? '';
      text += value;
      added += value;
      for (const annotation of part.text?.annotations ?? []) {
        if (annotation.type !== 'file_citation' || !annotation.file_citation || !annotation.text) continue;
        // Delta offsets are relative to the whole text part; markers are matched by text anyway.
        citations.push({
          marker: annotation.text,
          startIndex: annotation.start_index ?? null,
          endIndex: annotation.end_index ?? null,
          fileId: annotation.file_citation.file_id,
          fileName: null,
          quote: annotation.file_citation.quote ?? null,
        });
      }
    }
    return { ...message, text, citations };
  });
  return {
    ...state,
    phase: 'streaming',
    activity: 'writing',
    messages,
    firstTokenAt: state.firstTokenAt ?? (added !== '' ? at : null),
  };
}

export function runReducer(state: RunState, action: RunAction): RunState {
  switch (action.type) {
    case 'start':
      return { ...initialRunState, phase: 'connecting', threadId: action.threadId, startedAt: action.at };
    case 'thread':
      return { ...state, threadId: action.threadId };
    case 'event':
      // After a terminal event only `done` and late message snapshots may follow; keep the outcome.
      if (state.phase === 'finished' && !action.event.event.startsWith('thread.message.')) return state;
      return applyEvent(state, action.event, action.at);
    case 'stream-ended':
      if (state.phase === 'finished') return state;
      return finish(state, 'dropped', action.at, {
        title: 'The connection dropped',
        detail: 'The stream ended before the answer finished. Check your connection, then retry.',
      });
    case 'aborted':
      if (state.phase === 'finished') return state;
      return finish(state, 'cancelled', action.at, null);
    case 'failed':
      if (state.phase === 'finished') return state;
      return finish(state, action.kind === 'network' ? 'dropped' : 'error', action.at, {
        title:
          action.kind === 'network'
            ? 'Could not reach the server'
            : action.kind === 'http'
              ? 'The server refused the question'
              : 'The server sent something unexpected',
        detail: action.message,
      });
  }
}
