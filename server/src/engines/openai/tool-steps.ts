import type { AssistantStreamEvent, FunctionToolCall, RunStep, ToolCall } from '@threadline/shared';
import type {
  ResponseFileSearchToolCall,
  ResponseFunctionToolCall,
} from 'openai/resources/responses/responses';
import { newStep, type UpstreamRunContext } from './assistants-objects.js';

/**
 * The `tool_calls` run steps of one run: a `file_search_call` item becomes a file_search step
 * (its results when `include` asked for them), a `function_call` item a function step that
 * waits for outputs when the run ends in `requires_action`.
 */
export class ToolSteps {
  private readonly open = new Map<string, RunStep>();
  private readonly waiting: { call: FunctionToolCall; step: RunStep }[] = [];

  constructor(
    private readonly context: () => UpstreamRunContext,
    private readonly now: () => number,
  ) {}

  get functionCalls(): FunctionToolCall[] {
    return this.waiting.map(({ call }) => call);
  }

  get waitingSteps(): RunStep[] {
    return this.waiting.map(({ step }) => step);
  }

  startFileSearch(item: ResponseFileSearchToolCall): AssistantStreamEvent[] {
    return this.start(item.id, { id: item.id, type: 'file_search', file_search: {} });
  }

  startFunction(item: ResponseFunctionToolCall): AssistantStreamEvent[] {
    return this.start(item.id ?? item.call_id, {
      id: item.call_id,
      type: 'function',
      function: { name: item.name, arguments: item.arguments, output: null },
    });
  }

  argumentsDelta(itemId: string, delta: string): AssistantStreamEvent[] {
    const step = this.open.get(itemId);
    const toolCall = step?.step_details.type === 'tool_calls' ? step.step_details.tool_calls[0] : undefined;
    if (!step || toolCall?.type !== 'function') return [];
    // A new object: the one already published in step.created must keep its empty arguments.
    const grown = {
      ...toolCall,
      function: { ...toolCall.function, arguments: toolCall.function.arguments + delta },
    };
    this.open.set(itemId, { ...step, step_details: { type: 'tool_calls', tool_calls: [grown] } });
    return [
      {
        event: 'thread.run.step.delta',
        data: {
          id: step.id,
          object: 'thread.run.step.delta',
          delta: {
            step_details: {
              type: 'tool_calls',
              // Never the id again: the SDKs concatenate every string a delta repeats.
              tool_calls: [{ index: 0, type: 'function', function: { arguments: delta } }],
            },
          },
        },
      },
    ];
  }

  finishFileSearch(item: ResponseFileSearchToolCall): AssistantStreamEvent[] {
    const step = this.open.get(item.id);
    if (!step) return [];
    this.open.delete(item.id);
    const results = (item.results ?? []).flatMap((result) =>
      result.file_id === undefined
        ? []
        : [
            {
              file_id: result.file_id,
              file_name: result.filename ?? result.file_id,
              score: result.score ?? 0,
              ...(result.text === undefined
                ? {}
                : { content: [{ type: 'text' as const, text: result.text }] }),
            },
          ],
    );
    const details = {
      type: 'tool_calls' as const,
      tool_calls: [{ id: item.id, type: 'file_search' as const, file_search: { results } }],
    };
    if (item.status === 'failed' || item.status === 'incomplete') {
      const lastError = { code: 'server_error', message: 'File search failed.' };
      return [
        {
          event: 'thread.run.step.failed',
          data: {
            ...step,
            status: 'failed',
            step_details: details,
            failed_at: this.now(),
            last_error: lastError,
          },
        },
      ];
    }
    return [
      {
        event: 'thread.run.step.completed',
        data: { ...step, status: 'completed', step_details: details, completed_at: this.now() },
      },
    ];
  }

  /** A finished call waits for its output; Assistants completes the step after submission. */
  finishFunction(item: ResponseFunctionToolCall): AssistantStreamEvent[] {
    const itemId = item.id ?? item.call_id;
    const step = this.open.get(itemId);
    if (!step) return [];
    this.open.delete(itemId);
    const call: FunctionToolCall = {
      id: item.call_id,
      type: 'function',
      function: { name: item.name, arguments: item.arguments },
    };
    const toolCall: ToolCall = { ...call, function: { ...call.function, output: null } };
    this.waiting.push({
      call,
      step: { ...step, step_details: { type: 'tool_calls', tool_calls: [toolCall] } },
    });
    return [];
  }

  /** Ends every step still open or waiting, when the run is cancelled or fails. */
  endAll(ending: 'cancelled' | { code: string; message: string }): AssistantStreamEvent[] {
    const steps = [...this.open.values(), ...this.waitingSteps];
    this.open.clear();
    this.waiting.length = 0;
    const now = this.now();
    return steps.map((step): AssistantStreamEvent =>
      ending === 'cancelled'
        ? { event: 'thread.run.step.cancelled', data: { ...step, status: 'cancelled', cancelled_at: now } }
        : {
            event: 'thread.run.step.failed',
            data: { ...step, status: 'failed', failed_at: now, last_error: ending },
          },
    );
  }

  private start(itemId: string, toolCall: ToolCall): AssistantStreamEvent[] {
    const step = newStep(this.context(), `step_${itemId}`, this.now(), { toolCalls: [toolCall] });
    this.open.set(itemId, step);
    return [
      { event: 'thread.run.step.created', data: step },
      { event: 'thread.run.step.in_progress', data: step },
    ];
  }
}
