import type { Message, Thread } from '@threadline/shared';
import { AppError } from '../../../http/index.js';
import type { EngineState } from '../store/engine-state.js';
import type { Page, PageQuery } from '../store/json-table.js';
import { cursorPage } from '../store/cursor-page.js';
import { foundOr404, missingObject } from '../store/not-found.js';
import { newMessage, newThread } from '../runs/run-objects.js';
import type { RunRegistry } from '../runs/run-registry.js';

export type NewThreadInput = {
  vectorStoreIds?: string[] | undefined;
  metadata?: Record<string, string> | null;
  messages?: NewMessageInput[];
  /** Set by /v1: the user the thread belongs to. */
  owner?: string;
};

export type ThreadChanges = {
  metadata?: Record<string, string> | null | undefined;
  vectorStoreIds?: string[] | undefined;
};

export type NewMessageInput = {
  content: string;
  metadata?: Record<string, string> | null;
  role?: 'user' | 'assistant';
  /** Files the message brought (OpenAI's `attachments`), kept on the message as given. */
  attachments?: Message['attachments'];
};

/** Threads and their messages; a thread's messages are frozen while one of its runs is active. */
export class LocalThreads {
  constructor(
    private readonly store: EngineState,
    private readonly registry: Pick<RunRegistry, 'activeRun'>,
    private readonly assertVectorStores: (vectorStoreIds: string[]) => Promise<void>,
  ) {}

  async create(input: NewThreadInput): Promise<Thread> {
    const vectorStoreIds = input.vectorStoreIds ?? [];
    await this.assertVectorStores(vectorStoreIds);
    const thread = newThread(vectorStoreIds, input.metadata ?? null);
    await this.store.transaction(async (inside) => {
      await inside.threads.insert(thread, undefined, input.owner);
      for (const message of input.messages ?? [])
        await inside.messages.insert(newMessage(thread.id, message), thread.id);
    });
    return thread;
  }

  async update(threadId: string, changes: ThreadChanges): Promise<Thread> {
    const thread = await this.require(threadId);
    if (changes.vectorStoreIds) await this.assertVectorStores(changes.vectorStoreIds);
    const updated: Thread = {
      ...thread,
      ...(changes.metadata !== undefined ? { metadata: changes.metadata ?? {} } : {}),
      ...(changes.vectorStoreIds
        ? { tool_resources: { file_search: { vector_store_ids: changes.vectorStoreIds } } }
        : {}),
    };
    await this.store.threads.update(updated);
    return updated;
  }

  async require(threadId: string): Promise<Thread> {
    return foundOr404(await this.store.threads.get(threadId), 'thread', threadId);
  }

  async appendMessage(threadId: string, input: NewMessageInput): Promise<Message> {
    await this.require(threadId);
    const active = await this.registry.activeRun(threadId);
    if (active) {
      throw new AppError(
        'thread_busy',
        400,
        `Can't add messages to ${threadId} while a run ${active.id} is active.`,
      );
    }
    const message = newMessage(threadId, input);
    await this.store.messages.insert(message, threadId);
    return message;
  }

  async getMessage(threadId: string, messageId: string): Promise<Message> {
    await this.require(threadId);
    const message = await this.store.messages.get(messageId);
    if (message?.thread_id !== threadId) throw missingObject('message', messageId);
    return message;
  }

  async updateMessage(
    threadId: string,
    messageId: string,
    metadata: Record<string, string> | null,
  ): Promise<Message> {
    const updated = { ...(await this.getMessage(threadId, messageId)), metadata: metadata ?? {} };
    await this.store.messages.update(updated);
    return updated;
  }

  async deleteMessage(threadId: string, messageId: string): Promise<void> {
    await this.getMessage(threadId, messageId);
    await this.store.messages.delete(messageId);
  }

  async listMessages(
    threadId: string,
    query: PageQuery & { runId?: string | undefined },
  ): Promise<Page<Message>> {
    await this.require(threadId);
    if (query.runId === undefined) return this.store.messages.list(threadId, query);
    const all = await this.store.messages.list(threadId, { limit: 10_000, order: 'asc' });
    return cursorPage(
      all.data.filter((message) => message.run_id === query.runId),
      query,
    );
  }
}
