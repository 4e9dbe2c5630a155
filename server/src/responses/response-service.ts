import {
  type AssistantStreamEvent,
  type Message,
  type ResponseCreateRequest,
  type ResponseFileSearchResult,
  type ResponseItem,
  type ResponseItemListQuery,
  type ResponseObject,
  type SearchHit,
  type Thread,
} from '@threadline/shared';
import { AppError } from '../http/index.js';
import type { StreamOutcome } from '../run-logs/index.js';
import { cursorPage, listEnvelope } from '../engines/index.js';
import { defaultAssistantId, type LocalEngine, type LocalRunOptions } from '../engines/index.js';
import { matchesAttributes } from './attribute-filter.js';
import { messageItemOf } from './conversation-items.js';
import { LiveResponse } from './live-response.js';
import { ParamError } from './param-error.js';
import { ResponseEventMapper } from './response-event-mapper.js';
import { functionCallOutputItemId, newResponseId } from './response-ids.js';
import { parseInput, type InputOutput } from './response-input.js';
import { initialResponse, requestedTools, type RequestedTools } from './response-request.js';
import { conversationLocked, ResponseTargets } from './response-targets.js';
import type { EncodedResponseEvent, ResponseStore, StoredResponse } from './response-store.js';

type Attributes = ResponseFileSearchResult['attributes'];

/** What the service needs from the rest of Threadline, handed in by the routes that build it. */
export type ResponseServiceDeps = {
  engine: LocalEngine;
  store: ResponseStore;
  /** Whether the user may use the thread (theirs through /v1, or made for them in the web app). */
  canSeeThread: (threadId: string, userId: string) => Promise<boolean>;
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
  return listEnvelope(cursorPage(items, query));
}

/**
 * OpenAI's Responses API over threads and runs: a response is a run on a thread (a conversation's,
 * the previous response's, or a new one), started through the same engine and run machinery as
 * every other run; its Assistants events become Responses events, kept so its stream can be
 * followed, resumed and replayed.
 */
export class ResponseService {
  private readonly live = new Map<string, { live: LiveResponse; mapper: ResponseEventMapper }>();

  private readonly targets: ResponseTargets;

  constructor(private readonly deps: ResponseServiceDeps) {
    this.targets = new ResponseTargets(deps, (responseId) => this.live.has(responseId));
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
    const target = await this.targets.resolve(body, userId, input, tools);
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
          target.isNew ? await engine.store.allMessages(thread.id) : messages,
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
      queries: target.waiting ? [] : [await engine.searchQueryOf(thread.id)],
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
    if (stored.runId === null || !(await engine.store.threads.get(stored.threadId))) return;
    const running = this.live.get(stored.response.id);
    const run = await engine.getRun(stored.threadId, stored.runId);
    if (!running && run.status !== 'requires_action') return;
    try {
      await engine.cancelRun(stored.threadId, stored.runId);
    } catch {
      // Over already (it ended while this was asked): its end is on its way.
    }
    await running?.live.ended;
  }

  private async finish(
    stored: StoredResponse,
    mapper: ResponseEventMapper,
    live: LiveResponse,
    outcome: StreamOutcome,
    kept: { isStored: boolean; isNewThread: boolean },
  ): Promise<ResponseObject> {
    const { engine, store } = this.deps;
    if (!mapper.isFinished)
      live.append(outcome === 'stopped' ? mapper.finish('stopped') : mapper.finish('failed'));
    const response = mapper.current;
    const lastMessage = (await engine.store.threads.get(stored.threadId))
      ? (await engine.store.allMessages(stored.threadId)).at(-1)
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
