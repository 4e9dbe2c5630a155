import type { AssistantStreamEvent, Run, RunStep, Tool } from '@threadline/shared';
import type {
  Response as OpenAIResponse,
  ResponseOutputItem,
  ResponseStreamEvent,
} from 'openai/resources/responses/responses';
import { z } from 'zod';
import { AnswerMessages } from './answer-messages.js';
import { toRun, toUsage, type UpstreamRunContext } from './assistants-objects.js';
import { ToolSteps } from './tool-steps.js';

export type MapperOptions = {
  threadId: string;
  /** Seconds since the epoch; injectable so tests are deterministic. */
  now?: () => number;
  /** A tool-output continuation is a new response that reports under the original run's id. */
  continuesRunId?: string | undefined;
  /** Tool-call steps the continuation completes (their outputs were just submitted). */
  completedToolSteps?: RunStep[] | undefined;
  /** Describes the run when it must be reported before OpenAI answered (cancel before start). */
  placeholder: { model: string; instructions: string | null; tools: Tool[] };
};

const responsesCitationSchema = z.object({
  type: z.literal('file_citation'),
  file_id: z.string(),
  filename: z.string().optional(),
  index: z.number().int().nonnegative(),
});

const failureMessage = 'The model provider failed before the answer was finished.';

/**
 * Turns one Responses stream into Assistants events in OpenAI's Assistants order: run
 * created → queued → in_progress, a run step per output item (`file_search_call` → a
 * `tool_calls` step, `message` → a `message_creation` step), `thread.message.created` before
 * any delta, citation markers inserted into the text, and one terminal run event.
 */
export class ResponsesEventMapper {
  private run: Run | undefined;
  private response: OpenAIResponse | undefined;
  private finished = false;
  private readonly now: () => number;
  private readonly messages: AnswerMessages;
  private readonly tools: ToolSteps;

  constructor(private readonly options: MapperOptions) {
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.messages = new AnswerMessages(() => this.context, this.now);
    this.tools = new ToolSteps(() => this.context, this.now);
  }

  get isFinished(): boolean {
    return this.finished;
  }
  get runId(): string | undefined {
    return this.run?.id;
  }
  /** The response behind the run, once OpenAI announced it. */
  get upstreamResponse(): OpenAIResponse | undefined {
    return this.response;
  }
  /** Tool-call steps waiting for outputs when the run ended in `requires_action`. */
  get pendingToolSteps(): RunStep[] {
    return this.tools.waitingSteps;
  }

  /** Events with nothing to show in an Assistants stream (content parts, search progress) map to none. */
  map(event: ResponseStreamEvent): AssistantStreamEvent[] {
    if (this.finished) return [];
    const type = event.type;
    if (type === 'response.created') return this.created(event.response);
    if (type === 'response.in_progress') {
      this.response = event.response;
      return this.ensureStarted();
    }
    if (type === 'response.output_item.added')
      return [...this.ensureStarted(), ...this.itemAdded(event.item)];
    if (type === 'response.output_item.done') return this.itemDone(event.item);
    if (type === 'response.output_text.delta') {
      return [
        ...this.openMessage(event.item_id),
        ...this.messages.push(event.item_id, event.content_index, (stream) => stream.pushText(event.delta)),
      ];
    }
    if (type === 'response.output_text.annotation.added') {
      const citation = responsesCitationSchema.safeParse(event.annotation);
      if (!citation.success) return [];
      const { file_id, filename, index } = citation.data;
      return [
        ...this.openMessage(event.item_id),
        ...this.messages.push(event.item_id, event.content_index, (stream) =>
          stream.pushCitation({ file_id, filename: filename ?? file_id, index }),
        ),
      ];
    }
    if (type === 'response.function_call_arguments.delta')
      return this.tools.argumentsDelta(event.item_id, event.delta);
    if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
      this.response = event.response;
      if (type === 'response.completed') return this.completed();
      if (type === 'response.incomplete') return this.incomplete(event.response.incomplete_details?.reason);
      return this.fail(event.response.error?.code ?? 'server_error');
    }
    if (type === 'error') return this.fail(event.code ?? 'server_error');
    return [];
  }

  /** The run was cancelled (stream aborted): close what is open, end with `thread.run.cancelled`. */
  cancel(): AssistantStreamEvent[] {
    if (this.finished) return [];
    this.finished = true;
    return [
      ...this.ensureRunExists(),
      ...this.messages.endAll({ kind: 'cancelled' }),
      ...this.tools.endAll('cancelled'),
      this.runEvent('thread.run.cancelled', { status: 'cancelled', cancelled_at: this.now() }),
    ];
  }

  /** The upstream failed (error event, failed response, broken connection). */
  fail(code: string): AssistantStreamEvent[] {
    if (this.finished) return [];
    this.finished = true;
    const lastError = { code, message: failureMessage };
    return [
      ...this.ensureRunExists(),
      ...this.messages.endAll({ kind: 'failed', lastError }),
      ...this.tools.endAll(lastError),
      this.runEvent('thread.run.failed', {
        status: 'failed',
        failed_at: this.now(),
        last_error: lastError,
        usage: toUsage(this.response?.usage),
      }),
    ];
  }

  private get context(): UpstreamRunContext {
    const runId = this.options.continuesRunId ?? this.response?.id ?? this.run?.id ?? 'run_pending';
    return { runId, threadId: this.options.threadId };
  }

  private created(response: OpenAIResponse): AssistantStreamEvent[] {
    this.response = response;
    if (this.run) return [];
    this.run = toRun(response, this.context, 'queued');
    if (!this.options.continuesRunId) {
      return [this.runEvent('thread.run.created', {}), this.runEvent('thread.run.queued', {})];
    }
    const completions = (this.options.completedToolSteps ?? []).map((step): AssistantStreamEvent => ({
      event: 'thread.run.step.completed',
      data: { ...step, status: 'completed', completed_at: this.now() },
    }));
    return [...completions, this.runEvent('thread.run.queued', {})];
  }

  /** Synthesises the run when the stream is cut before OpenAI announced one. */
  private ensureRunExists(): AssistantStreamEvent[] {
    if (this.run) return [];
    this.run = this.placeholderRun();
    return this.options.continuesRunId ? [] : [this.runEvent('thread.run.created', {})];
  }

  private placeholderRun(): Run {
    const { model, instructions, tools } = this.options.placeholder;
    const source = { created_at: this.now(), model, instructions, tools: [], metadata: null };
    const run = toRun(
      { ...source, temperature: null, top_p: null, parallel_tool_calls: true },
      this.context,
      'queued',
    );
    return { ...run, tools };
  }

  private ensureStarted(): AssistantStreamEvent[] {
    const events = this.ensureRunExists();
    if (this.run?.status === 'queued') {
      events.push(this.runEvent('thread.run.in_progress', { status: 'in_progress', started_at: this.now() }));
    }
    return events;
  }

  /** A delta for an item never announced still gets its step and `thread.message.created` first. */
  private openMessage(itemId: string): AssistantStreamEvent[] {
    return [...this.ensureStarted(), ...this.messages.start(itemId)];
  }

  private itemAdded(item: ResponseOutputItem): AssistantStreamEvent[] {
    if (item.type === 'message') return this.messages.start(item.id);
    if (item.type === 'file_search_call') return this.tools.startFileSearch(item);
    if (item.type === 'function_call') return this.tools.startFunction(item);
    return [];
  }

  private itemDone(item: ResponseOutputItem): AssistantStreamEvent[] {
    // An incomplete message is closed by `response.incomplete`, which carries the reason.
    if (item.type === 'message') return item.status === 'incomplete' ? [] : this.messages.complete(item.id);
    if (item.type === 'file_search_call') return this.tools.finishFileSearch(item);
    if (item.type === 'function_call') return this.tools.finishFunction(item);
    return [];
  }

  private completed(): AssistantStreamEvent[] {
    this.finished = true;
    const events = [...this.ensureStarted(), ...this.messages.completeAll()];
    const usage = toUsage(this.response?.usage);
    const calls = this.tools.functionCalls;
    if (calls.length === 0) {
      return [
        ...events,
        this.runEvent('thread.run.completed', { status: 'completed', completed_at: this.now(), usage }),
      ];
    }
    return [
      ...events,
      this.runEvent('thread.run.requires_action', {
        status: 'requires_action',
        usage,
        required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: calls } },
      }),
    ];
  }

  private incomplete(reason: 'max_output_tokens' | 'content_filter' | undefined): AssistantStreamEvent[] {
    this.finished = true;
    return [
      ...this.ensureStarted(),
      ...this.messages.endAll({
        kind: 'incomplete',
        reason: reason === 'content_filter' ? 'content_filter' : 'max_tokens',
      }),
      this.runEvent('thread.run.incomplete', {
        status: 'incomplete',
        incomplete_details: { reason: reason ?? 'max_output_tokens' },
        usage: toUsage(this.response?.usage),
      }),
    ];
  }

  private runEvent(
    event: Extract<AssistantStreamEvent, { data: Run }>['event'],
    changes: Partial<Run>,
  ): AssistantStreamEvent {
    const run: Run = { ...(this.run ?? this.placeholderRun()), ...changes };
    this.run = run;
    return { event, data: run };
  }
}
