import type {
  AssistantStreamEvent,
  Message,
  ResponseFileSearchCall,
  ResponseFileSearchResult,
  ResponseFunctionCall,
  ResponseMessageItem,
  ResponseObject,
  ResponseOutputText,
  ResponseStreamEvent,
  ResponseUsage,
  Run,
  RunStep,
  UnnumberedResponseEvent,
  Usage,
} from '@threadline/shared';
import { fileSearchItemId, functionCallItemId } from './response-ids.js';
import { outputTextOf, splitDelta } from './output-text.js';

export type MapperOptions = {
  /** The response as it starts: its request echoed, no output yet. */
  response: ResponseObject;
  /** What the run searches for, shown as the file search call's `queries`. */
  queries: string[];
  /** Whether file search calls carry their results (`include: ["file_search_call.results"]`). */
  isResultsShown: boolean;
  /** A file's attributes in the searched stores, shown with each result. */
  attributesOf?: (fileId: string) => ResponseFileSearchResult['attributes'];
  /** Seconds since the epoch; injectable so tests are deterministic. */
  now?: () => number;
};

type FileSearchOutput = { kind: 'file_search'; index: number; stepId: string; item: ResponseFileSearchCall };
type MessageOutput = {
  kind: 'message';
  index: number;
  item: ResponseMessageItem;
  /** Text streamed so far, without markers. */
  text: string;
  annotations: ResponseOutputText['annotations'];
};
type FunctionOutput = { kind: 'function'; index: number; stepId: string; item: ResponseFunctionCall };
type Output = FileSearchOutput | MessageOutput | FunctionOutput;

export const toResponseUsage = (usage: Usage | null): ResponseUsage | null =>
  usage === null
    ? null
    : {
        input_tokens: usage.prompt_tokens,
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: usage.completion_tokens,
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: usage.total_tokens,
      };

/**
 * Turns one run's Assistants events (or one turn's, after function outputs) into the Responses
 * events OpenAI sends, in its order and numbered from 0: `response.created` (`response.queued` in
 * the background), `response.in_progress`, then per output item `output_item.added` … `done` —
 * a `file_search` step as a `file_search_call` (in_progress, searching, completed), an answer as
 * a `message` (content part, text deltas with the citation markers taken out and each citation an
 * `annotation.added`, text done, part done), function calls with their argument deltas — and one
 * terminal event. A run waiting for function outputs is a completed response whose output ends
 * with the calls. A cancelled run ends with `response.incomplete` carrying status `cancelled`:
 * OpenAI's event union has no `response.cancelled`, and openai-node rejects event types it does
 * not know.
 */
export class ResponseEventMapper {
  private sequence = 0;
  private response: ResponseObject;
  private readonly outputs: Output[] = [];
  private readonly fileNames = new Map<string, string>();
  private isStarted = false;
  private isEnded = false;
  private readonly now: () => number;

  constructor(private readonly options: MapperOptions) {
    this.response = { ...options.response, output: [] };
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
  }

  /** The response as the events so far make it. */
  get current(): ResponseObject {
    return { ...this.response, output: this.outputs.map((output) => structuredClone(output.item)) };
  }
  get isFinished(): boolean {
    return this.isEnded;
  }
  /** The function calls the response ended waiting for. */
  get functionCalls(): ResponseFunctionCall[] {
    return this.outputs.flatMap((output) => (output.kind === 'function' ? [output.item] : []));
  }

  /** `response.created`, and `response.queued` for a background response. */
  begin(): ResponseStreamEvent[] {
    const events: UnnumberedResponseEvent[] = [{ type: 'response.created', response: this.current }];
    if (this.response.status === 'queued') events.push({ type: 'response.queued', response: this.current });
    return this.number(events);
  }

  map(event: AssistantStreamEvent): ResponseStreamEvent[] {
    if (this.isEnded) return [];
    return this.number(this.mapOne(event));
  }

  /**
   * The run's stream ended without a terminal run event: the engine failed (`failed`) or the run
   * was stopped before it could say so (`stopped`).
   */
  finish(
    outcome: 'failed' | 'stopped',
    error?: { code: string | null; message: string },
  ): ResponseStreamEvent[] {
    if (this.isEnded) return [];
    if (outcome === 'stopped') return this.number(this.end('cancelled', {}));
    const code = error?.code ?? 'server_error';
    const message = error?.message ?? 'The response failed before it was finished.';
    return this.number(this.end('failed', { error: { code, message } }));
  }

  private mapOne(event: AssistantStreamEvent): UnnumberedResponseEvent[] {
    switch (event.event) {
      case 'thread.run.in_progress':
        return this.started();
      case 'thread.run.step.created':
        return [...this.started(), ...this.stepCreated(event.data)];
      case 'thread.run.step.delta':
        return this.stepDelta(event.data);
      case 'thread.run.step.completed':
        return this.stepEnded(event.data, 'completed');
      case 'thread.run.step.failed':
        return this.stepEnded(event.data, 'failed');
      case 'thread.run.step.cancelled':
      case 'thread.run.step.expired':
        return this.stepEnded(event.data, 'incomplete');
      case 'thread.message.created':
        return event.data.role === 'assistant' ? [...this.started(), ...this.messageCreated(event.data)] : [];
      case 'thread.message.delta':
        return this.messageDelta(event.data);
      case 'thread.message.completed':
        return this.messageEnded(event.data, 'completed');
      case 'thread.message.incomplete':
        return this.messageEnded(event.data, 'incomplete');
      case 'thread.run.requires_action':
        this.takeFinalArguments(event.data);
        return this.end('completed', { usage: toResponseUsage(event.data.usage) });
      case 'thread.run.completed':
        return this.end('completed', { usage: toResponseUsage(event.data.usage) });
      case 'thread.run.failed':
        return this.end('failed', {
          error: {
            code: event.data.last_error?.code ?? 'server_error',
            message: event.data.last_error?.message ?? 'The response failed.',
          },
          usage: toResponseUsage(event.data.usage),
        });
      case 'thread.run.cancelled':
        return this.end('cancelled', { usage: toResponseUsage(event.data.usage) });
      case 'thread.run.incomplete':
        return this.end('incomplete', {
          incomplete_details: { reason: event.data.incomplete_details?.reason ?? 'max_output_tokens' },
          usage: toResponseUsage(event.data.usage),
        });
      case 'error':
        return [{ type: 'error', code: event.data.code, message: event.data.message, param: null }];
      case 'thread.created':
      case 'thread.run.created':
      case 'thread.run.queued':
      case 'thread.run.cancelling':
      case 'thread.run.expired':
      case 'thread.run.step.in_progress':
      case 'thread.message.in_progress':
      case 'done':
        return [];
    }
  }

  /** The calls' whole arguments as the run states them (`function_call_arguments.done` carries them). */
  private takeFinalArguments(run: Run): void {
    for (const call of run.required_action?.submit_tool_outputs.tool_calls ?? []) {
      const output = this.outputs.find(
        (candidate): candidate is FunctionOutput =>
          candidate.kind === 'function' && candidate.item.call_id === call.id,
      );
      if (output) output.item.arguments = call.function.arguments;
    }
  }

  private started(): UnnumberedResponseEvent[] {
    if (this.isStarted) return [];
    this.isStarted = true;
    this.response = { ...this.response, status: 'in_progress' };
    return [{ type: 'response.in_progress', response: this.current }];
  }

  private add(output: Output): UnnumberedResponseEvent {
    this.outputs.push(output);
    return {
      type: 'response.output_item.added',
      output_index: output.index,
      item: structuredClone(output.item),
    };
  }

  private stepCreated(step: RunStep): UnnumberedResponseEvent[] {
    if (step.step_details.type !== 'tool_calls') return [];
    const events: UnnumberedResponseEvent[] = [];
    for (const call of step.step_details.tool_calls) {
      if (call.type === 'file_search') {
        const item: ResponseFileSearchCall = {
          type: 'file_search_call',
          id: fileSearchItemId(step.id),
          status: 'in_progress',
          queries: this.options.queries,
          results: null,
        };
        const index = this.outputs.length;
        events.push(
          this.add({ kind: 'file_search', index, stepId: step.id, item }),
          { type: 'response.file_search_call.in_progress', output_index: index, item_id: item.id },
          { type: 'response.file_search_call.searching', output_index: index, item_id: item.id },
        );
        item.status = 'searching';
      } else {
        const item: ResponseFunctionCall = {
          type: 'function_call',
          id: functionCallItemId(call.id),
          call_id: call.id,
          name: call.function.name,
          arguments: '',
          status: 'in_progress',
        };
        events.push(this.add({ kind: 'function', index: this.outputs.length, stepId: step.id, item }));
      }
    }
    return events;
  }

  private stepDelta(
    delta: Extract<AssistantStreamEvent, { event: 'thread.run.step.delta' }>['data'],
  ): UnnumberedResponseEvent[] {
    const calls = delta.delta.step_details?.tool_calls ?? [];
    const functions = this.outputs.filter(
      (output): output is FunctionOutput => output.kind === 'function' && output.stepId === delta.id,
    );
    const events: UnnumberedResponseEvent[] = [];
    for (const call of calls) {
      const piece = call.function?.arguments;
      const output = functions[call.index];
      if (call.type !== 'function' || !output || piece === undefined || piece === '') continue;
      output.item.arguments += piece;
      events.push({
        type: 'response.function_call_arguments.delta',
        output_index: output.index,
        item_id: output.item.id,
        delta: piece,
      });
    }
    return events;
  }

  private stepEnded(step: RunStep, status: 'completed' | 'failed' | 'incomplete'): UnnumberedResponseEvent[] {
    const search = this.outputs.find(
      (output): output is FileSearchOutput => output.kind === 'file_search' && output.stepId === step.id,
    );
    if (!search || search.item.status === 'completed') return [];
    const call = step.step_details.type === 'tool_calls' ? step.step_details.tool_calls[0] : undefined;
    const results = call?.type === 'file_search' ? (call.file_search.results ?? []) : [];
    for (const result of results) this.fileNames.set(result.file_id, result.file_name);
    search.item.status = status;
    search.item.results = !this.options.isResultsShown
      ? null
      : results.map((result) => ({
          file_id: result.file_id,
          filename: result.file_name,
          score: result.score,
          text: result.content?.map((part) => part.text).join('\n') ?? '',
          attributes: this.options.attributesOf?.(result.file_id) ?? {},
        }));
    const events: UnnumberedResponseEvent[] = [];
    if (status === 'completed')
      events.push({
        type: 'response.file_search_call.completed',
        output_index: search.index,
        item_id: search.item.id,
      });
    events.push({
      type: 'response.output_item.done',
      output_index: search.index,
      item: structuredClone(search.item),
    });
    return events;
  }

  private messageOutput(messageId: string): MessageOutput | undefined {
    return this.outputs.find(
      (output): output is MessageOutput => output.kind === 'message' && output.item.id === messageId,
    );
  }

  private messageCreated(message: Message): UnnumberedResponseEvent[] {
    if (this.messageOutput(message.id)) return [];
    const item: ResponseMessageItem = {
      type: 'message',
      id: message.id,
      status: 'in_progress',
      role: 'assistant',
      content: [],
    };
    const output: MessageOutput = {
      kind: 'message',
      index: this.outputs.length,
      item,
      text: '',
      annotations: [],
    };
    const added = this.add(output);
    const part: ResponseOutputText = { type: 'output_text', text: '', annotations: [], logprobs: [] };
    item.content.push(part);
    return [
      added,
      {
        type: 'response.content_part.added',
        output_index: output.index,
        item_id: item.id,
        content_index: 0,
        part: structuredClone(part),
      },
    ];
  }

  private messageDelta(
    delta: Extract<AssistantStreamEvent, { event: 'thread.message.delta' }>['data'],
  ): UnnumberedResponseEvent[] {
    const output = this.messageOutput(delta.id);
    if (!output) return [];
    const events: UnnumberedResponseEvent[] = [];
    const place = { output_index: output.index, item_id: output.item.id, content_index: 0 };
    for (const content of delta.delta.content) {
      if (content.type !== 'text' || !content.text) continue;
      const markers = (content.text.annotations ?? []).flatMap((annotation) =>
        annotation.type === 'file_citation' && annotation.file_citation
          ? [{ marker: annotation.text ?? '', fileId: annotation.file_citation.file_id }]
          : [],
      );
      const name = (fileId: string) => this.fileNames.get(fileId) ?? fileId;
      for (const piece of splitDelta(content.text.value ?? '', markers, output.text.length, name)) {
        if ('text' in piece) {
          output.text += piece.text;
          events.push({ type: 'response.output_text.delta', ...place, delta: piece.text, logprobs: [] });
        } else {
          output.annotations.push(piece.citation);
          events.push({
            type: 'response.output_text.annotation.added',
            ...place,
            annotation_index: output.annotations.length - 1,
            annotation: piece.citation,
          });
        }
      }
    }
    const part = output.item.content[0];
    if (part?.type === 'output_text') {
      part.text = output.text;
      part.annotations = [...output.annotations];
    }
    return events;
  }

  private messageEnded(message: Message, status: 'completed' | 'incomplete'): UnnumberedResponseEvent[] {
    const output = this.messageOutput(message.id);
    if (!output || output.item.status !== 'in_progress') return [];
    // The engine's final text is the word: the streamed one with its markers taken out.
    const final = outputTextOf(message, (fileId) => this.fileNames.get(fileId) ?? fileId);
    const part = final.text === '' && output.text !== '' ? this.streamedPart(output) : final;
    output.item.status = status;
    output.item.content = [part];
    const place = { output_index: output.index, item_id: output.item.id, content_index: 0 };
    return [
      { type: 'response.output_text.done', ...place, text: part.text, logprobs: [] },
      { type: 'response.content_part.done', ...place, part: structuredClone(part) },
      { type: 'response.output_item.done', output_index: output.index, item: structuredClone(output.item) },
    ];
  }

  private streamedPart(output: MessageOutput): ResponseOutputText {
    return { type: 'output_text', text: output.text, annotations: [...output.annotations], logprobs: [] };
  }

  /** Closes what is still open (as `incomplete`), then the one terminal event. */
  private end(
    status: 'completed' | 'failed' | 'cancelled' | 'incomplete',
    changes: Partial<Pick<ResponseObject, 'error' | 'incomplete_details' | 'usage'>>,
  ): UnnumberedResponseEvent[] {
    const events = this.closeOpenItems(status === 'completed' ? 'completed' : 'incomplete');
    this.isEnded = true;
    this.response = {
      ...this.response,
      ...changes,
      status,
      completed_at: status === 'completed' ? this.now() : null,
    };
    const type =
      status === 'completed'
        ? 'response.completed'
        : status === 'failed'
          ? 'response.failed'
          : 'response.incomplete';
    return [...events, { type, response: this.current }];
  }

  private closeOpenItems(status: 'completed' | 'incomplete'): UnnumberedResponseEvent[] {
    const events: UnnumberedResponseEvent[] = [];
    for (const output of this.outputs) {
      if (output.item.status === 'completed' || output.item.status === 'incomplete') continue;
      if (output.kind === 'function') {
        output.item.status = status;
        events.push({
          type: 'response.function_call_arguments.done',
          output_index: output.index,
          item_id: output.item.id,
          name: output.item.name,
          arguments: output.item.arguments,
        });
      } else if (output.kind === 'message') {
        const part = this.streamedPart(output);
        output.item.status = 'incomplete';
        output.item.content = [part];
        const place = { output_index: output.index, item_id: output.item.id, content_index: 0 };
        events.push(
          { type: 'response.output_text.done', ...place, text: part.text, logprobs: [] },
          { type: 'response.content_part.done', ...place, part: structuredClone(part) },
        );
      } else {
        output.item.status = 'incomplete';
      }
      events.push({
        type: 'response.output_item.done',
        output_index: output.index,
        item: structuredClone(output.item),
      });
    }
    return events;
  }

  private number(events: UnnumberedResponseEvent[]): ResponseStreamEvent[] {
    return events.map((event) => ({ ...event, sequence_number: this.sequence++ }));
  }
}
