import type {
  Message,
  ResponseFileSearchCall,
  ResponseFileSearchResult,
  ResponseItem,
  ResponseMessageItem,
  Run,
  RunStep,
} from '@threadline/shared';
import { outputTextOf } from './output-text.js';
import { fileSearchItemId, functionCallItemId, functionCallOutputItemId } from './response-ids.js';

/** A run as its items need it: its steps in order, and what it searched for and when it began. */
export type RunTrace = {
  run: Run;
  steps: RunStep[];
  /** The search query, once the run has searched. */
  query: string | null;
  /** How many of the thread's messages there were when the run began (null: it never began). */
  messageIndex: number | null;
};

export type ItemSources = {
  /** The thread's messages, oldest first. */
  messages: Message[];
  /** The thread's runs, oldest first. */
  runs: RunTrace[];
  /** Whether file search results are shown (`include=file_search_call.results`). */
  isResultsShown: boolean;
  attributesOf?: (fileId: string) => ResponseFileSearchResult['attributes'];
};

/** A thread message as a conversation item: a question's text as input, an answer's as output. */
export function messageItemOf(message: Message, fileNames: (fileId: string) => string): ResponseMessageItem {
  if (message.role === 'user') {
    const { text } = outputTextOf(message, fileNames);
    return {
      type: 'message',
      id: message.id,
      status: 'completed',
      role: 'user',
      content: [{ type: 'input_text', text }],
    };
  }
  return {
    type: 'message',
    id: message.id,
    status: message.status,
    role: 'assistant',
    content: [outputTextOf(message, fileNames)],
  };
}

const searchStatusOf = (status: RunStep['status']): ResponseFileSearchCall['status'] =>
  status === 'completed'
    ? 'completed'
    : status === 'failed'
      ? 'failed'
      : status === 'in_progress'
        ? 'searching'
        : 'incomplete';

function runItems(
  trace: RunTrace,
  messagesById: Map<string, Message>,
  sources: ItemSources,
  emitted: Set<string>,
): ResponseItem[] {
  const fileNames = new Map<string, string>();
  const items: ResponseItem[] = [];
  for (const step of trace.steps) {
    const details = step.step_details;
    if (details.type === 'message_creation') {
      const message = messagesById.get(details.message_creation.message_id);
      if (!message || emitted.has(message.id)) continue;
      emitted.add(message.id);
      items.push(messageItemOf(message, (fileId) => fileNames.get(fileId) ?? fileId));
      continue;
    }
    const outputs: ResponseItem[] = [];
    for (const call of details.tool_calls) {
      if (call.type === 'file_search') {
        const results = call.file_search.results ?? [];
        for (const result of results) fileNames.set(result.file_id, result.file_name);
        items.push({
          type: 'file_search_call',
          id: fileSearchItemId(step.id),
          status: searchStatusOf(step.status),
          queries: trace.query === null ? [] : [trace.query],
          results: sources.isResultsShown
            ? results.map((result) => ({
                file_id: result.file_id,
                filename: result.file_name,
                score: result.score,
                text: result.content?.map((part) => part.text).join('\n') ?? '',
                attributes: sources.attributesOf?.(result.file_id) ?? {},
              }))
            : null,
        });
        continue;
      }
      items.push({
        type: 'function_call',
        id: functionCallItemId(call.id),
        call_id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
        status: 'completed',
      });
      if (call.function.output !== null && call.function.output !== undefined)
        outputs.push({
          type: 'function_call_output',
          id: functionCallOutputItemId(call.id),
          call_id: call.id,
          output: call.function.output,
          status: 'completed',
        });
    }
    items.push(...outputs);
  }
  return items;
}

/**
 * A thread as a conversation's items, in the order they happened: each message, and each run's
 * file searches, function calls and their outputs, and answers in the order of its steps. A run
 * sits where its first answer is, or — with no answer — after the messages it began with (a
 * thread takes no message while a run is active, so nothing else can come between).
 */
export function conversationItems(sources: ItemSources): ResponseItem[] {
  const messagesById = new Map(sources.messages.map((message) => [message.id, message]));
  const traces = new Map(sources.runs.map((trace) => [trace.run.id, trace]));
  const emitted = new Set<string>();
  const doneRuns = new Set<string>();
  const items: ResponseItem[] = [];
  const emitRun = (trace: RunTrace) => {
    if (doneRuns.has(trace.run.id)) return;
    doneRuns.add(trace.run.id);
    items.push(...runItems(trace, messagesById, sources, emitted));
  };
  const silentRuns = sources.runs.filter(
    (trace) =>
      trace.messageIndex !== null && !sources.messages.some((message) => message.run_id === trace.run.id),
  );
  sources.messages.forEach((message, index) => {
    for (const trace of silentRuns)
      if (trace.messageIndex !== null && trace.messageIndex <= index) emitRun(trace);
    const trace = message.run_id === null ? undefined : traces.get(message.run_id);
    if (trace) emitRun(trace);
    if (emitted.has(message.id)) return;
    emitted.add(message.id);
    items.push(messageItemOf(message, (fileId) => fileId));
  });
  for (const trace of silentRuns) emitRun(trace);
  return items;
}
