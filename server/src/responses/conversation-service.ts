import type {
  ConversationObject,
  Message,
  ResponseInputItem,
  ResponseItem,
  ResponseItemListQuery,
  Thread,
} from '@threadline/shared';
import { AppError } from '../http/index.js';
import { conversationItems, type RunTrace } from './conversation-items.js';
import { ParamError } from './param-error.js';
import { parseInput } from './response-input.js';
import { itemListOf, type ResponseServiceDeps } from './response-service.js';

export type ConversationServiceDeps = Pick<
  ResponseServiceDeps,
  'engine' | 'canSeeThread' | 'recordMessages' | 'attributesOf'
> & {
  /** Forgets the thread's transcript (the history) when its conversation is deleted. */
  forgetThread: (threadId: string, userId: string) => Promise<void>;
  /** The metadata key the web app's threads keep their user in: kept, and not shown. */
  ownerMetadataKey: string;
};

const notFound = (conversationId: string) =>
  new ParamError(`Conversation with id '${conversationId}' not found.`, null, null, 404);

/**
 * OpenAI's Conversations API over threads: a conversation is a thread (any thread the user may
 * use, whichever door made it), its metadata the thread's, its items the thread's messages and its
 * runs' steps (see conversation-items.ts). Messages added here are in the web app's history too.
 */
export class ConversationService {
  constructor(private readonly deps: ConversationServiceDeps) {}

  async create(
    body: {
      items?: ResponseInputItem[] | null | undefined;
      metadata?: Record<string, string> | null | undefined;
    },
    userId: string,
  ): Promise<ConversationObject> {
    const messages = this.messagesOf(body.items ?? []);
    const thread = await this.deps.engine.createThread({
      owner: userId,
      metadata: body.metadata ?? null,
      messages: messages.map((message) => ({ role: message.role, content: message.text })),
    });
    this.deps.recordMessages(thread, userId, await this.deps.engine.store.allMessages(thread.id));
    return this.objectOf(thread);
  }

  async get(conversationId: string, userId: string): Promise<ConversationObject> {
    return this.objectOf(await this.thread(conversationId, userId));
  }

  async update(
    conversationId: string,
    metadata: Record<string, string> | null,
    userId: string,
  ): Promise<ConversationObject> {
    const thread = await this.thread(conversationId, userId);
    const owner = thread.metadata?.[this.deps.ownerMetadataKey];
    const kept = owner === undefined ? {} : { [this.deps.ownerMetadataKey]: owner };
    return this.objectOf(
      await this.deps.engine.updateThread(conversationId, { metadata: { ...metadata, ...kept } }),
    );
  }

  async delete(conversationId: string, userId: string) {
    await this.thread(conversationId, userId);
    await this.deps.engine.deleteThread(conversationId);
    await this.deps.forgetThread(conversationId, userId);
    return { id: conversationId, object: 'conversation.deleted' as const, deleted: true as const };
  }

  async listItems(
    conversationId: string,
    userId: string,
    query: ResponseItemListQuery & { isResultsShown: boolean },
  ) {
    return itemListOf(await this.items(conversationId, userId, query.isResultsShown), query);
  }

  async getItem(
    conversationId: string,
    itemId: string,
    userId: string,
    isResultsShown: boolean,
  ): Promise<ResponseItem> {
    const item = (await this.items(conversationId, userId, isResultsShown)).find(
      (candidate) => candidate.id === itemId,
    );
    if (!item) throw new ParamError(`Item with id '${itemId}' not found.`, null, null, 404);
    return item;
  }

  /** Adds messages (at most 20 a call); answers with the items made, as OpenAI's list. */
  async addItems(conversationId: string, items: ResponseInputItem[], userId: string) {
    const thread = await this.thread(conversationId, userId);
    const added: Message[] = [];
    for (const message of this.messagesOf(items)) {
      try {
        added.push(
          await this.deps.engine.appendMessage(conversationId, { role: message.role, content: message.text }),
        );
      } catch (error) {
        if (error instanceof AppError && error.code === 'thread_busy')
          throw new ParamError(
            'Another response is in progress on this conversation; try again once it has finished.',
            null,
            'conversation_locked',
          );
        throw error;
      }
    }
    this.deps.recordMessages(thread, userId, added);
    const ids = new Set(added.map((message) => message.id));
    const made = (await this.items(conversationId, userId, false)).filter((item) => ids.has(item.id));
    return {
      object: 'list' as const,
      data: made,
      first_id: made[0]?.id ?? null,
      last_id: made.at(-1)?.id ?? null,
      has_more: false,
    };
  }

  /** Deletes a message item; answers with the conversation, as OpenAI does. */
  async deleteItem(conversationId: string, itemId: string, userId: string): Promise<ConversationObject> {
    const item = await this.getItem(conversationId, itemId, userId, false);
    if (item.type !== 'message')
      throw new ParamError(
        `Invalid value: '${item.type}'. Threadline deletes message items only; a run's calls stay with its answer.`,
        'item_id',
        'invalid_value',
      );
    await this.deps.engine.deleteMessage(conversationId, itemId);
    return this.get(conversationId, userId);
  }

  private async thread(conversationId: string, userId: string): Promise<Thread> {
    const thread = await this.deps.engine.store.threads.get(conversationId);
    if (!thread || !(await this.deps.canSeeThread(conversationId, userId))) throw notFound(conversationId);
    return thread;
  }

  private objectOf(thread: Thread): ConversationObject {
    const { [this.deps.ownerMetadataKey]: _owner, ...metadata } = thread.metadata ?? {};
    return { id: thread.id, object: 'conversation', created_at: thread.created_at, metadata };
  }

  /** A thread keeps questions and answers: instructions and function outputs belong to a response. */
  private messagesOf(items: ResponseInputItem[]) {
    const parsed = parseInput(items, 'items');
    const misplaced = items.findIndex(
      (item) =>
        ('role' in item && (item.role === 'system' || item.role === 'developer')) ||
        item.type === 'function_call_output',
    );
    if (parsed.instructions.length > 0 || parsed.outputs.length > 0)
      throw new ParamError(
        `Invalid 'items[${misplaced}]': a conversation keeps user and assistant messages; give instructions and function outputs to a response.`,
        `items[${misplaced}]`,
        'invalid_value',
      );
    return parsed.messages;
  }

  private async items(
    conversationId: string,
    userId: string,
    isResultsShown: boolean,
  ): Promise<ResponseItem[]> {
    const thread = await this.thread(conversationId, userId);
    const { engine } = this.deps;
    const storeIds = thread.tool_resources?.file_search?.vector_store_ids ?? [];
    const runs: RunTrace[] = [];
    for (const run of (await engine.store.runs.list(thread.id, { limit: 10_000, order: 'asc' })).data) {
      const context = await engine.store.runContext(run.id);
      runs.push({
        run,
        steps: (await engine.store.steps.list(run.id, { limit: 1000, order: 'asc' })).data,
        query: context?.query ?? null,
        messageIndex: context?.messageIndex ?? null,
      });
    }
    return conversationItems({
      messages: await engine.store.allMessages(thread.id),
      runs,
      isResultsShown,
      attributesOf: (fileId) => this.deps.attributesOf(storeIds, fileId) ?? {},
    });
  }
}
