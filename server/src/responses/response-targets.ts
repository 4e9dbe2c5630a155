import {
  terminalResponseStatuses,
  terminalRunStatuses,
  type Message,
  type ResponseCreateRequest,
  type Run,
  type Thread,
} from '@threadline/shared';
import { ParamError } from './param-error.js';
import type { InputOutput, ParsedInput } from './response-input.js';
import { conversationIdOf, type RequestedTools } from './response-request.js';
import type { ResponseServiceDeps } from './response-service.js';

/** Where a response runs: the thread, and the run waiting for the outputs its input gives. */
export type Target = { thread: Thread; conversationId: string | null; isNew: boolean; waiting: Run | null };

/** OpenAI's answer to a write on a conversation another response is running on. */
export const conversationLocked = () =>
  new ParamError(
    'Another response is in progress on this conversation; try again once it has finished.',
    null,
    'conversation_locked',
  );

const textOf = (message: Message) =>
  message.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('\n');

/** Finds (or makes) the thread a new response runs on. */
export class ResponseTargets {
  constructor(
    private readonly deps: Pick<ResponseServiceDeps, 'engine' | 'store' | 'canSeeThread'>,
    /** Whether a response's run is still going on. */
    private readonly isLive: (responseId: string) => boolean,
  ) {}

  /**
   * The thread the response runs on: the conversation's; the previous response's (continued in
   * place when it is that thread's latest turn, else a copy of the thread up to it, as OpenAI
   * branches); the thread of the calls whose outputs the input gives; or a new one.
   */
  async resolve(
    body: ResponseCreateRequest,
    userId: string,
    input: ParsedInput,
    tools: RequestedTools,
  ): Promise<Target> {
    const { engine } = this.deps;
    const conversationId = conversationIdOf(body.conversation);
    let target: Target;
    if (conversationId !== null) {
      const thread = await engine.store.threads.get(conversationId);
      if (!thread || !(await this.deps.canSeeThread(conversationId, userId)))
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
      target = await this.callsThread(input.outputs, userId);
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
    return { ...target, waiting: await this.waitingRun(target.thread.id, input.outputs) };
  }

  private async afterPrevious(previousId: string, userId: string, tools: RequestedTools): Promise<Target> {
    const { engine, store } = this.deps;
    const previous = store.get(previousId, userId);
    const thread = previous ? await engine.store.threads.get(previous.threadId) : null;
    if (!previous || !previous.response.store || !thread)
      throw new ParamError(
        `Previous response with id '${previousId}' not found.`,
        'previous_response_id',
        null,
        404,
      );
    if (this.isLive(previousId) || !terminalResponseStatuses.includes(previous.response.status))
      throw new ParamError(
        `Previous response with id '${previousId}' is still in progress.`,
        'previous_response_id',
        'response_in_progress',
      );
    const latestRun = (await engine.store.runs.list(thread.id, { limit: 1, order: 'desc' })).data[0];
    const isLatest =
      previous.conversationId === null &&
      store.latestOnThread(thread.id) === previousId &&
      latestRun?.id === previous.runId;
    if (isLatest) return { thread, conversationId: null, isNew: false, waiting: null };
    // A branch: the thread as it stood when the previous response ended, copied.
    const messages = await engine.store.allMessages(thread.id);
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
  private async callsThread(outputs: InputOutput[], userId: string): Promise<Target> {
    const first = outputs[0];
    const call = first ? this.deps.store.findCall(userId, first.callId) : null;
    const thread = call ? await this.deps.engine.store.threads.get(call.threadId) : null;
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
  private async waitingRun(threadId: string, outputs: InputOutput[]): Promise<Run | null> {
    const { engine } = this.deps;
    const active: Run[] = [];
    for (const runId of await engine.store.activeRunIds(threadId)) {
      const run = await engine.getRun(threadId, runId);
      // Terminal while its row's write is on the way (PostgreSQL), or expired when read: not active.
      if (run.status !== 'expired' && !terminalRunStatuses.includes(run.status)) active.push(run);
    }
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
