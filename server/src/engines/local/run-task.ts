import type {
  AssistantStreamEvent,
  Message,
  MessageDelta,
  Run,
  RunStep,
  SearchHit,
  ToolCall,
  Usage,
} from '@threadline/shared';
import { countTokens } from 'gpt-tokenizer';
import { APIError } from 'openai';
import type { ToolOutput } from '../engine.js';
import type { AnswerPiece, Answerer, FunctionTool } from './answer/answer-piece.js';
import { AnswerTextBuilder } from './answer/answer-text-builder.js';
import { noKnowledgeBaseText, noRelevantInformationText } from './answer/no-answer.js';
import type { EngineStore, RunContext } from './engine-store.js';
import { EventHub } from './event-hub.js';
import { newId, nowSeconds } from './ids.js';
import { withoutResultContent } from './run-objects.js';

export type RunPlan = {
  vectorStoreIds: string[];
  isFileSearchOn: boolean;
  maxNumResults: number;
  scoreThreshold: number | undefined;
  includeResultContent: boolean;
};

export type RunTaskDeps = {
  store: EngineStore;
  answererFor: (model: string) => Answerer;
  search: (vectorStoreIds: string[], query: string, plan: RunPlan) => Promise<SearchHit[]>;
};

type StepEvent = Extract<AssistantStreamEvent, { data: RunStep }>['event'];
type RunEventName = Extract<AssistantStreamEvent, { data: Run }>['event'];
type MessageEventName = Extract<AssistantStreamEvent, { data: Message }>['event'];

const checkpointEveryDeltas = 16;

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

export const functionToolsOf = (run: Run): FunctionTool[] =>
  run.tools.flatMap((tool) =>
    tool.type === 'function'
      ? [
          {
            name: tool.function.name,
            description: tool.function.description,
            parameters: tool.function.parameters,
          },
        ]
      : [],
  );

/**
 * Executes one run (or one turn of it, after tool outputs) in the background, persisting every
 * state change and publishing the Assistants events in OpenAI's order. A cancel aborts the
 * work at its next await and finishes with the partial message kept as `incomplete`.
 */
export class RunTask {
  readonly hub = new EventHub<AssistantStreamEvent>();
  done: Promise<void> = Promise.resolve();
  private readonly controller = new AbortController();
  private isCancelRequested = false;
  private openSteps: RunStep[] = [];
  private message: Message | null = null;
  private builder: AnswerTextBuilder | null = null;
  private isResultContentShown = false;

  constructor(
    private readonly deps: RunTaskDeps,
    public run: Run,
  ) {}

  start(plan: RunPlan): void {
    this.isResultContentShown = plan.includeResultContent;
    this.done = this.execute(() => this.firstTurn(plan));
  }

  resume(toolStep: RunStep, outputs: ToolOutput[]): void {
    this.done = this.execute(() => this.continueTurn(toolStep, outputs));
  }

  requestCancel(): void {
    if (this.isCancelRequested || this.isTerminal()) return;
    this.isCancelRequested = true;
    this.controller.abort();
    // Finish now rather than when the work unwinds (an upstream stream may take a while to
    // notice the abort): every later step checks the signal and publishes nothing more.
    // One transaction: a single WAL commit instead of one per row.
    this.deps.store.transaction(() => {
      this.saveRun({ status: 'cancelling' }, 'thread.run.cancelling');
      this.finishCancelled();
    });
    this.hub.close();
  }

  private isTerminal() {
    return ['cancelled', 'failed', 'completed', 'incomplete', 'expired'].includes(this.run.status);
  }

  private async execute(turn: () => Promise<void>): Promise<void> {
    try {
      await turn();
      if (this.controller.signal.aborted) this.finishCancelled();
    } catch (error) {
      if (this.isCancelRequested) this.finishCancelled();
      else this.finishFailed(error);
    } finally {
      this.hub.close();
    }
  }

  private async firstTurn(plan: RunPlan): Promise<void> {
    this.publish('thread.run.created', this.run);
    this.publish('thread.run.queued', this.run);
    await tick();
    if (this.controller.signal.aborted) return;
    this.saveRun({ status: 'in_progress', started_at: nowSeconds() }, 'thread.run.in_progress');
    const { store } = this.deps;
    const conversation = store.allMessages(this.run.thread_id);
    const question = [...conversation].reverse().find((message) => message.role === 'user');
    const query = question ? textOf(question) : '';
    let hits: SearchHit[] = [];
    if (plan.isFileSearchOn) {
      const call = (results: SearchHit[] | null): ToolCall => ({
        id: callId,
        type: 'file_search',
        file_search: {
          ranking_options: { ranker: 'default_2024_08_21', score_threshold: plan.scoreThreshold ?? 0 },
          results: (results ?? []).map((hit) => ({
            file_id: hit.fileId,
            file_name: hit.fileName,
            score: hit.score,
            content: [{ type: 'text' as const, text: hit.text }],
          })),
        },
      });
      const callId = newId('call');
      const step = this.createStep({ type: 'tool_calls', tool_calls: [call(null)] });
      if (query.trim() !== '' && plan.vectorStoreIds.length > 0) {
        hits = await this.deps.search(plan.vectorStoreIds, query, plan);
      }
      if (this.controller.signal.aborted) return;
      this.finishStep(
        { ...step, step_details: { type: 'tool_calls', tool_calls: [call(hits)] } },
        'completed',
      );
    }
    const context: RunContext = { query, hits, messageIndex: conversation.length, toolRounds: [] };
    store.setRunContext(this.run.id, context);
    await this.answerTurn(context, conversation, plan.vectorStoreIds.length > 0);
  }

  private async continueTurn(toolStep: RunStep, outputs: ToolOutput[]): Promise<void> {
    const { store } = this.deps;
    const context = store.runContext(this.run.id) ?? { query: '', hits: [], messageIndex: 0, toolRounds: [] };
    const calls = this.run.required_action?.submit_tool_outputs.tool_calls ?? [];
    const outputOf = (id: string) => outputs.find((output) => output.tool_call_id === id)?.output ?? '';
    this.openSteps.push(toolStep);
    this.finishStep(
      {
        ...toolStep,
        step_details: {
          type: 'tool_calls',
          tool_calls: calls.map((call) => ({
            ...call,
            function: { ...call.function, output: outputOf(call.id) },
          })),
        },
      },
      'completed',
    );
    this.saveRun({ status: 'queued', required_action: null }, 'thread.run.queued');
    await tick();
    if (this.controller.signal.aborted) return;
    this.saveRun({ status: 'in_progress' }, 'thread.run.in_progress');
    context.toolRounds.push({
      calls: calls.map((call) => ({
        id: call.id,
        name: call.function.name,
        arguments: call.function.arguments,
      })),
      outputs,
    });
    store.setRunContext(this.run.id, context);
    await this.answerTurn(context, store.allMessages(this.run.thread_id), true);
  }

  private async answerTurn(context: RunContext, conversation: Message[], hasStores: boolean): Promise<void> {
    const functionTools = functionToolsOf(this.run);
    const isNothingToSay = context.hits.length === 0 && functionTools.length === 0;
    const pieces: AsyncIterable<AnswerPiece> = isNothingToSay
      ? fixedAnswer(hasStores ? noRelevantInformationText : noKnowledgeBaseText)
      : this.deps.answererFor(this.run.model)({
          query: context.query,
          hits: context.hits,
          conversation,
          instructions: this.run.instructions,
          model: this.run.model,
          functionTools,
          toolRounds: context.toolRounds,
          signal: this.controller.signal,
        });
    let usage: Usage | null = null;
    let calls: Extract<AnswerPiece, { type: 'tool_calls' }>['calls'] = [];
    let deltaCount = 0;
    for await (const piece of untilAborted(pieces, this.controller.signal)) {
      if (this.controller.signal.aborted) return;
      if (piece.type === 'usage') usage = piece.usage;
      else if (piece.type === 'tool_calls') calls = piece.calls;
      else {
        const builder = this.ensureMessage(context);
        const content =
          piece.type === 'text'
            ? builder.appendText(piece.text)
            : builder.appendCitation(piece.source, piece.quote);
        if (content) this.publishDelta(content);
        this.checkpoint(++deltaCount);
      }
    }
    if (this.controller.signal.aborted) return;
    const answerText = this.builder?.value ?? '';
    usage ??= estimateUsage(context, conversation, answerText, this.run.instructions);
    if (calls.length > 0) {
      if (this.message) this.finishMessage('completed');
      const toolCalls = calls.map((call) => ({
        id: call.id,
        type: 'function' as const,
        function: { name: call.name, arguments: call.arguments },
      }));
      this.createStep({
        type: 'tool_calls',
        tool_calls: toolCalls.map((call) => ({ ...call, function: { ...call.function, output: null } })),
      });
      this.saveRun(
        {
          status: 'requires_action',
          required_action: { type: 'submit_tool_outputs', submit_tool_outputs: { tool_calls: toolCalls } },
          usage,
        },
        'thread.run.requires_action',
      );
      return;
    }
    this.ensureMessage(context);
    this.finishMessage('completed');
    this.saveRun({ status: 'completed', completed_at: nowSeconds(), usage }, 'thread.run.completed');
  }

  /** Saves the text so far now and then, so a crash mid-answer still leaves the partial answer. */
  private checkpoint(deltaCount: number): void {
    if (deltaCount % checkpointEveryDeltas !== 0 || !this.message || !this.builder) return;
    this.deps.store.messages.update({ ...this.message, content: this.builder.content() });
  }

  private ensureMessage(context: RunContext): AnswerTextBuilder {
    if (this.builder && this.message) return this.builder;
    const messageId = newId('msg');
    this.createStep({ type: 'message_creation', message_creation: { message_id: messageId } });
    const message: Message = {
      id: messageId,
      object: 'thread.message',
      created_at: nowSeconds(),
      thread_id: this.run.thread_id,
      status: 'in_progress',
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
      role: 'assistant',
      content: [],
      assistant_id: this.run.assistant_id,
      run_id: this.run.id,
      attachments: [],
      metadata: {},
    };
    this.deps.store.messages.insert(message, this.run.thread_id);
    this.message = message;
    this.builder = new AnswerTextBuilder(context.messageIndex, context.hits);
    this.publish('thread.message.created', message);
    this.publish('thread.message.in_progress', message);
    return this.builder;
  }

  private finishMessage(status: 'completed' | 'incomplete', reason?: 'run_cancelled' | 'run_failed'): void {
    const message = this.message;
    if (!message) return;
    const now = nowSeconds();
    const finished: Message = {
      ...message,
      status,
      content: this.builder?.content() ?? [],
      completed_at: status === 'completed' ? now : null,
      incomplete_at: status === 'incomplete' ? now : null,
      incomplete_details: reason ? { reason } : null,
    };
    this.deps.store.messages.update(finished);
    this.message = null;
    this.publish(status === 'completed' ? 'thread.message.completed' : 'thread.message.incomplete', finished);
    const step = this.openSteps.find((open) => open.type === 'message_creation');
    if (step && status === 'completed') this.finishStep(step, 'completed');
  }

  private createStep(details: RunStep['step_details']): RunStep {
    const step: RunStep = {
      id: newId('step'),
      object: 'thread.run.step',
      created_at: nowSeconds(),
      assistant_id: this.run.assistant_id,
      thread_id: this.run.thread_id,
      run_id: this.run.id,
      type: details.type,
      status: 'in_progress',
      step_details: details,
      last_error: null,
      expired_at: null,
      cancelled_at: null,
      failed_at: null,
      completed_at: null,
      metadata: null,
      usage: null,
    };
    this.deps.store.steps.insert(step, this.run.id);
    this.openSteps.push(step);
    this.publish('thread.run.step.created', step);
    this.publish('thread.run.step.in_progress', step);
    return step;
  }

  private finishStep(
    step: RunStep,
    status: 'completed' | 'cancelled' | 'failed',
    lastError?: Run['last_error'],
  ) {
    const now = nowSeconds();
    const finished: RunStep = {
      ...step,
      status,
      completed_at: status === 'completed' ? now : null,
      cancelled_at: status === 'cancelled' ? now : null,
      failed_at: status === 'failed' ? now : null,
      last_error: lastError ?? null,
    };
    this.deps.store.steps.update(finished);
    this.openSteps = this.openSteps.filter((open) => open.id !== step.id);
    const event: StepEvent = `thread.run.step.${status}`;
    this.publish(event, finished);
  }

  private finishCancelled(): void {
    if (this.isTerminal()) return;
    this.finishMessage('incomplete', 'run_cancelled');
    for (const step of this.openSteps) this.finishStep(step, 'cancelled');
    this.saveRun(
      { status: 'cancelled', cancelled_at: nowSeconds(), required_action: null },
      'thread.run.cancelled',
    );
  }

  private finishFailed(error: unknown): void {
    if (this.isTerminal()) return;
    const lastError = toLastError(error);
    this.finishMessage('incomplete', 'run_failed');
    for (const step of this.openSteps) this.finishStep(step, 'failed', lastError);
    this.saveRun({ status: 'failed', failed_at: nowSeconds(), last_error: lastError }, 'thread.run.failed');
  }

  private saveRun(changes: Partial<Run>, event: RunEventName): void {
    this.run = { ...this.run, ...changes };
    this.deps.store.runs.update(this.run);
    this.publish(event, this.run);
  }

  private publishDelta(content: MessageDelta['delta']['content']): void {
    if (!this.message) return;
    this.hub.publish({
      event: 'thread.message.delta',
      data: { id: this.message.id, object: 'thread.message.delta', delta: { content } },
    });
  }

  private publish(event: RunEventName, data: Run): void;
  private publish(event: StepEvent, data: RunStep): void;
  private publish(event: MessageEventName, data: Message): void;
  private publish(event: string, data: Run | RunStep | Message): void {
    const shown =
      data.object === 'thread.run.step' && !this.isResultContentShown ? withoutResultContent(data) : data;
    this.hub.publish({ event, data: shown } as AssistantStreamEvent);
  }
}

/**
 * Ends the iteration as soon as `signal` aborts, even if the source is stuck awaiting an
 * upstream that ignores the abort; the source is told to stop but not waited for.
 */
async function* untilAborted<T>(source: AsyncIterable<T>, signal: AbortSignal): AsyncIterable<T> {
  const iterator = source[Symbol.asyncIterator]();
  const aborted = new Promise<'aborted'>((resolve) => {
    if (signal.aborted) resolve('aborted');
    else signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });
  try {
    for (;;) {
      const next = await Promise.race([iterator.next(), aborted]);
      if (next === 'aborted' || next.done) return;
      yield next.value;
    }
  } finally {
    void iterator.return?.()?.catch(() => undefined);
  }
}

async function* fixedAnswer(text: string): AsyncIterable<AnswerPiece> {
  yield { type: 'text', text };
}

export const textOf = (message: Message) =>
  message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('\n');

function estimateUsage(
  context: RunContext,
  conversation: Message[],
  answer: string,
  instructions: string | null,
): Usage {
  const promptText = [
    instructions ?? '',
    ...conversation.map(textOf),
    ...context.hits.map((hit) => hit.text),
  ].join('\n');
  const prompt = countTokens(promptText);
  const completion = countTokens(answer);
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
}

function toLastError(error: unknown): NonNullable<Run['last_error']> {
  if (error instanceof APIError && error.status === 429) {
    return { code: 'rate_limit_exceeded', message: 'The model provider is rate limiting requests.' };
  }
  return { code: 'server_error', message: 'Sorry, something went wrong while running this request.' };
}
