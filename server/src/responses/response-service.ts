import {
  terminalResponseStatuses,
  type AssistantStreamEvent,
  type Message,
  type ResponseCreateRequest,
  type ResponseFileSearchResult,
  type ResponseItem,
  type ResponseItemListQuery,
  type ResponseObject,
  type Run,
  type SearchHit,
  type Thread,
} from '@threadline/shared';
import { AppError } from '../errors/app-error.js';
import type { StreamOutcome } from '../orchestrator/transcript-accumulator.js';
import { cursorPage } from '../engines/local/cursor-page.js';
import { defaultAssistantId, type LocalEngine, type LocalRunOptions } from '../engines/local/local-engine.js';
import { matchesAttributes } from './attribute-filter.js';
import { messageItemOf } from './conversation-items.js';
import { LiveResponse } from './live-response.js';
import { ParamError } from './param-error.js';
import { ResponseEventMapper } from './response-event-mapper.js';
import { functionCallOutputItemId, newResponseId } from './response-ids.js';
import { parseInput, type InputOutput, type ParsedInput } from './response-input.js';
import {
  conversationIdOf,
  initialResponse,
  requestedTools,
  type RequestedTools,
} from './response-request.js';
import type { EncodedResponseEvent, ResponseStore, StoredResponse } from './response-store.js';

type Attributes = ResponseFileSearchResult['attributes'];

/** What the service needs from the rest of Threadline, handed in by the routes that build it. */
export type ResponseServiceDeps = {
  engine: LocalEngine;
  store: ResponseStore;
  /** Whether the user may use the thread (theirs through /v1, or made for them in the web app). */
  canSeeThread: (threadId: string, userId: string) => boolean;
  /** Puts messages (or a new empty thread) into the user's history. */
  recordMessages: (thread: Thread, userId: string, messages: Message[]) => void;
  /**
   * Runs a started run through Threadline's one run machinery (the thread's event log that the
   * web app follows and stops, the history, shutdown); `onFinish` once it has ended.
   */
  pump: (run: {
    threadId: string;
    userId: string;
    events: AsyncIterable<AssistantStreamEvent>;
    isRecorded: boolean;
    onFinish: (outcome: StreamOutcome) => void;
  }) => void;
  /** A file's attributes in the first of these stores that has it. */
  attributesOf: (vectorStoreIds: string[], fileId: string) => Attributes | null;
};

export type CreatedResponse = {
  response: ResponseObject;
  /** The response's stream while it runs. */
  live: LiveResponse;
  /** Resolves with the response once its run has ended (or waits for function outputs). */
  finished: Promise<ResponseObject>;
};

/** Where a response runs: the thread, and the run waiting for the outputs the input gives. */
type Target = { thread: Thread; conversationId: string | null; isNew: boolean; waiting: Run | null };

const conversationLocked = () =>
  new ParamError(
    'Another response is in progress on this conversation; try again once it has finished.',
    null,
    'conversation_locked',
  );

/** The engine's "a run is active" as OpenAI's conversations answer a concurrent write. */
async function unlessBusy<T>(work: () => Promise<T> | T): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof AppError && error.code === 'thread_busy') throw conversationLocked();
    throw error;
  }
}

export function itemListOf<T extends { id: string }>(items: readonly T[], query: ResponseItemListQuery) {
  const page = cursorPage(items, query);
  return {
    object: 'list' as const,
    data: page.data,
    first_id: page.data[0]?.id ?? null,
    last_id: page.data.at(-1)?.id ?? null,
    has_more: page.hasMore,
  };
}

/**
 * OpenAI's Responses API over threads and runs: a response is a run on a thread (a conversation's,
 * the previous response's, or a new one), started through the same engine and run machinery as
 * every other run; its Assistants events become Responses events, kept so its stream can be
 * followed, resumed and replayed.
 */
export class ResponseService {
  private readonly live = new Map<string, { live: LiveResponse; mapper: ResponseEventMapper }>();

  constructor(private readonly deps: ResponseServiceDeps) {
    this.failInterrupted();
  }

  /**
   * Nothing runs when the service starts: a response still in progress was cut short by a crash
   * (its run is recovered as failed by the engine). It ends `failed`, its stream with it.
   */
  private failInterrupted(): void {
    for (const { response, lastSequenceNumber } of this.deps.store.unfinished()) {
      const failed: ResponseObject = {
        ...response,
        status: 'failed',
        error: { code: 'server_error', message: 'The server stopped before the response finished.' },
      };
      this.deps.store.appendEvents(response.id, [
        { type: 'response.failed', sequence_number: lastSequenceNumber + 1, response: failed },
      ]);
      this.deps.store.update(failed);
    }
  }

  async create(body: ResponseCreateRequest, userId: string): Promise<CreatedResponse> {
    const { engine, store } = this.deps;
    const tools = requestedTools(body);
    const input = parseInput(body.input);
    const target = await this.target(body, userId, input, tools);
    const isStored = body.store !== false;
    const { thread } = target;
    const messages: Message[] = [];
    if (!target.waiting) {
      for (const message of input.messages)
        messages.push(
          await unlessBusy(() =>
            engine.appendMessage(thread.id, { role: message.role, content: message.text }),
          ),
        );
      if (isStored && (messages.length > 0 || target.isNew))
        // A new thread is recorded whole: a branch brings the messages it copied.
        this.deps.recordMessages(
          thread,
          userId,
          target.isNew ? engine.store.allMessages(thread.id) : messages,
        );
    }
    const instructions = [body.instructions, ...input.instructions].filter(Boolean).join('\n\n') || null;
    const model = body.model ?? engine.defaultModel;
    const started = await unlessBusy(() =>
      target.waiting
        ? engine.startToolOutputs(thread.id, target.waiting.id, toToolOutputs(input.outputs), true)
        : engine.startRun(thread.id, this.runOptions(body, tools, model, instructions), true),
    );
    const response = initialResponse(body, {
      id: newResponseId(),
      createdAt: Math.floor(Date.now() / 1000),
      model,
      instructions,
      conversationId: target.conversationId,
    });
    const stored: StoredResponse = {
      response,
      owner: userId,
      threadId: thread.id,
      runId: started.run.id,
      conversationId: target.conversationId,
      lastMessageId: null,
    };
    store.insert(stored, [
      ...messages.map((message) => messageItemOf(message, (fileId) => fileId)),
      ...(target.waiting ? input.outputs.map(outputItemOf) : []),
    ]);
    const storeIds = tools.fileSearch?.vectorStoreIds ?? [];
    const mapper = new ResponseEventMapper({
      response,
      queries: target.waiting ? [] : [engine.searchQueryOf(thread.id)],
      isResultsShown: (body.include ?? []).includes('file_search_call.results'),
      attributesOf: (fileId) => this.deps.attributesOf(storeIds, fileId) ?? {},
    });
    const live = new LiveResponse(response.id, store);
    this.live.set(response.id, { live, mapper });
    live.append(mapper.begin());
    store.update(mapper.current);
    const finished = new Promise<ResponseObject>((resolve) => {
      this.deps.pump({
        threadId: thread.id,
        userId,
        events: tapped(started.events, (event) => live.append(mapper.map(event))),
        isRecorded: isStored,
        onFinish: (outcome) =>
          resolve(this.finish(stored, mapper, live, outcome, { isStored, isNewThread: target.isNew })),
      });
    });
    return { response: mapper.current, live, finished };
  }

  /** The response as it stands (live while its run goes on); 404 when `userId` has none such. */
  get(responseId: string, userId: string): ResponseObject {
    return this.live.get(responseId)?.mapper.current ?? this.stored(responseId, userId).response;
  }

  /** Its stream from after `after`: live while it runs, replayed from the store once it has ended. */
  events(
    responseId: string,
    userId: string,
    after: number,
    signal: AbortSignal,
  ): AsyncIterable<EncodedResponseEvent> | Iterable<EncodedResponseEvent> {
    this.stored(responseId, userId);
    const running = this.live.get(responseId);
    if (running) return running.live.follow(after, signal);
    return this.deps.store.eventsAfter(responseId, after);
  }

  /** Stops a background response's run; the response ends `cancelled` (as it is, if already over). */
  async cancel(responseId: string, userId: string): Promise<ResponseObject> {
    const stored = this.stored(responseId, userId);
    if (!stored.response.background)
      throw new ParamError('Only responses created with background=true can be cancelled.', null, null);
    await this.stop(stored);
    return this.get(responseId, userId);
  }

  async delete(
    responseId: string,
    userId: string,
  ): Promise<{ id: string; object: 'response'; deleted: true }> {
    const stored = this.stored(responseId, userId);
    await this.stop(stored);
    this.deps.store.delete(responseId);
    return { id: responseId, object: 'response', deleted: true };
  }

  inputItems(responseId: string, userId: string, query: ResponseItemListQuery) {
    this.stored(responseId, userId);
    return itemListOf(this.deps.store.inputItems(responseId), query);
  }

  private stored(responseId: string, userId: string): StoredResponse {
    const stored = this.deps.store.get(responseId, userId);
    if (!stored || !stored.response.store)
      throw new ParamError(`Response with id '${responseId}' not found.`, null, null, 404);
    return stored;
  }

  /**
   * Stops the response's run: the one in progress (its end then comes through its stream), or
   * one still waiting for function outputs, which would otherwise hold its thread until it expires.
   */
  private async stop(stored: StoredResponse): Promise<void> {
    const { engine } = this.deps;
    if (stored.runId === null || !engine.store.threads.get(stored.threadId)) return;
    const running = this.live.get(stored.response.id);
    const run = engine.getRun(stored.threadId, stored.runId);
    if (!running && run.status !== 'requires_action') return;
    try {
      engine.cancelRun(stored.threadId, stored.runId);
    } catch {
      // Over already (it ended while this was asked): its end is on its way.
    }
    await running?.live.ended;
  }

  private finish(
    stored: StoredResponse,
    mapper: ResponseEventMapper,
    live: LiveResponse,
    outcome: StreamOutcome,
    kept: { isStored: boolean; isNewThread: boolean },
  ): ResponseObject {
    const { engine, store } = this.deps;
    if (!mapper.isFinished)
      live.append(outcome === 'stopped' ? mapper.finish('stopped') : mapper.finish('failed'));
    const response = mapper.current;
    const lastMessage = engine.store.threads.get(stored.threadId)
      ? engine.store.allMessages(stored.threadId).at(-1)
      : undefined;
    store.update(response, lastMessage?.id ?? null);
    store.recordCalls(
      stored,
      mapper.functionCalls.map((call) => call.call_id),
    );
    this.live.delete(stored.response.id);
    live.end();
    if (!kept.isStored) {
      // Nothing of a response not to be kept stays behind, not the thread made for it either —
      // unless it waits for function outputs, which the next request (the whole history given
      // back, as stateless clients do) brings to its run.
      const isWaiting = mapper.functionCalls.length > 0;
      store.delete(stored.response.id, isWaiting);
      if (kept.isNewThread && !isWaiting) void engine.deleteThread(stored.threadId).catch(() => undefined);
    }
    return response;
  }

  private runOptions(
    body: ResponseCreateRequest,
    tools: RequestedTools,
    model: string,
    instructions: string | null,
  ): LocalRunOptions {
    const search = tools.fileSearch;
    const filter = search?.filter;
    const storeIds = search?.vectorStoreIds ?? [];
    return {
      assistantId: defaultAssistantId,
      model,
      instructions: instructions ?? undefined,
      runTools: tools.runTools,
      vectorStoreIds: storeIds,
      maxNumResults: search?.maxNumResults,
      scoreThreshold: search?.scoreThreshold,
      includeResultContent: true,
      metadata: null,
      parameters: {
        ...(typeof body.temperature === 'number' ? { temperature: body.temperature } : {}),
        ...(typeof body.top_p === 'number' ? { top_p: body.top_p } : {}),
        ...(typeof body.max_output_tokens === 'number'
          ? { max_completion_tokens: body.max_output_tokens }
          : {}),
        ...(typeof body.parallel_tool_calls === 'boolean'
          ? { parallel_tool_calls: body.parallel_tool_calls }
          : {}),
        ...(body.tool_choice === undefined ? {} : { tool_choice: body.tool_choice }),
      },
      hitFilter: filter
        ? (hit: SearchHit) => matchesAttributes(this.deps.attributesOf(storeIds, hit.fileId) ?? {}, filter)
        : undefined,
    };
  }

  /**
   * The thread the response runs on: the conversation's; the previous response's (continued in
   * place when it is that thread's latest turn, else a copy of the thread up to it, as OpenAI
   * branches); the thread of the calls whose outputs the input gives; or a new one.
   */
  private async target(
    body: ResponseCreateRequest,
    userId: string,
    input: ParsedInput,
    tools: RequestedTools,
  ): Promise<Target> {
    const { engine } = this.deps;
    const conversationId = conversationIdOf(body.conversation);
    let target: Target;
    if (conversationId !== null) {
      const thread = engine.store.threads.get(conversationId);
      if (!thread || !this.deps.canSeeThread(conversationId, userId))
        throw new ParamError(
          `Conversation with id '${conversationId}' not found.`,
          'conversation',
          null,
          404,
        );
      target = { thread, conversationId, isNew: false, waiting: null };
    } else if (body.previous_response_id) {
      target = await this.afterPrevious(body.previous_response_id, userId, tools);
    } else if (input.outputs.length > 0) {
      target = this.callsThread(input.outputs, userId);
    } else {
      if (input.messages.length === 0)
        throw new ParamError("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
      const thread = await engine.createThread({
        owner: userId,
        vectorStoreIds: tools.fileSearch?.vectorStoreIds ?? [],
        metadata: null,
      });
      return { thread, conversationId: null, isNew: true, waiting: null };
    }
    return { ...target, waiting: this.waitingRun(target.thread.id, input.outputs) };
  }

  private async afterPrevious(previousId: string, userId: string, tools: RequestedTools): Promise<Target> {
    const { engine, store } = this.deps;
    const previous = store.get(previousId, userId);
    const thread = previous ? engine.store.threads.get(previous.threadId) : null;
    if (!previous || !previous.response.store || !thread)
      throw new ParamError(
        `Previous response with id '${previousId}' not found.`,
        'previous_response_id',
        null,
        404,
      );
    if (this.live.has(previousId) || !terminalResponseStatuses.includes(previous.response.status))
      throw new ParamError(
        `Previous response with id '${previousId}' is still in progress.`,
        'previous_response_id',
        'response_in_progress',
      );
    const latestRun = engine.store.runs.list(thread.id, { limit: 1, order: 'desc' }).data[0];
    const isLatest =
      previous.conversationId === null &&
      store.latestOnThread(thread.id) === previousId &&
      latestRun?.id === previous.runId;
    if (isLatest) return { thread, conversationId: null, isNew: false, waiting: null };
    // A branch: the thread as it stood when the previous response ended, copied.
    const messages = engine.store.allMessages(thread.id);
    const end = messages.findIndex((message) => message.id === previous.lastMessageId);
    const kept = end < 0 ? messages : messages.slice(0, end + 1);
    const branch = await engine.createThread({
      owner: userId,
      vectorStoreIds:
        tools.fileSearch?.vectorStoreIds ?? thread.tool_resources?.file_search?.vector_store_ids ?? [],
      metadata: null,
      messages: kept.map((message) => ({ role: message.role, content: textOf(message) })),
    });
    return { thread: branch, conversationId: null, isNew: true, waiting: null };
  }

  /** Outputs given without a conversation or previous response: the thread their calls wait on. */
  private callsThread(outputs: InputOutput[], userId: string): Target {
    const first = outputs[0];
    const call = first ? this.deps.store.findCall(userId, first.callId) : null;
    const thread = call ? this.deps.engine.store.threads.get(call.threadId) : null;
    if (!first || !call || !thread)
      throw new ParamError(
        `No tool call found for function call output with call_id ${first?.callId ?? ''}.`,
        'input',
        'invalid_value',
      );
    return { thread, conversationId: null, isNew: false, waiting: null };
  }

  /**
   * The run waiting on the thread for the outputs the input gives: every output must answer one
   * of its calls, and every call needs its output (as OpenAI answers both). Without outputs, a
   * run still waiting is refused the same way, and any other run in progress locks the thread.
   */
  private waitingRun(threadId: string, outputs: InputOutput[]): Run | null {
    const { engine } = this.deps;
    const active = engine.store
      .activeRunIds(threadId)
      .map((runId) => engine.getRun(threadId, runId))
      .filter((run) => run.status !== 'expired');
    const waiting = active.find((run) => run.status === 'requires_action') ?? null;
    if (active.some((run) => run.status !== 'requires_action')) throw conversationLocked();
    const calls = waiting?.required_action?.submit_tool_outputs.tool_calls.map((call) => call.id) ?? [];
    const unknown = outputs.find((output) => !calls.includes(output.callId));
    if (unknown)
      throw new ParamError(
        `No tool call found for function call output with call_id ${unknown.callId}.`,
        'input',
        'invalid_value',
      );
    const missing = calls.find((callId) => !outputs.some((output) => output.callId === callId));
    if (missing)
      throw new ParamError(`No tool output found for function call ${missing}.`, 'input', 'invalid_value');
    return outputs.length > 0 ? waiting : null;
  }
}

const toToolOutputs = (outputs: InputOutput[]) =>
  outputs.map((output) => ({ tool_call_id: output.callId, output: output.output }));

const outputItemOf = (output: InputOutput): ResponseItem => ({
  type: 'function_call_output',
  id: functionCallOutputItemId(output.callId),
  call_id: output.callId,
  output: output.output,
  status: 'completed',
});

const textOf = (message: Message) =>
  message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('\n');

/** The run's events as they pass, each shown to `onEvent` first. */
async function* tapped(
  events: AsyncIterable<AssistantStreamEvent> | null,
  onEvent: (event: AssistantStreamEvent) => void,
): AsyncIterable<AssistantStreamEvent> {
  for await (const event of events ?? []) {
    onEvent(event);
    yield event;
  }
}
