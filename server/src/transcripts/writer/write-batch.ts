import type { MessageRecord, ThreadRecord } from '../transcript-recorder.js';
import type { RunRecord, WriteBatch } from '../transcript-store.js';

/** ISO strings with offsets compare wrongly as text; stores keep UTC `Z` strings only. */
export const toUtcIso = (value: string) => new Date(value).toISOString();

const lastById = <T extends { id: string }>(items: readonly T[]) => [
  ...new Map(items.map((item) => [item.id, item])).values(),
];

/** Keeps the last write of each id (later records win, as they would have one by one) with UTC dates. */
export function normalizeBatch(batch: WriteBatch): WriteBatch {
  return {
    threads: lastById(batch.threads).map((thread): ThreadRecord => ({
      ...thread,
      createdAt: toUtcIso(thread.createdAt),
      updatedAt: toUtcIso(thread.updatedAt),
    })),
    messages: lastById(batch.messages).map((message): MessageRecord => ({
      ...message,
      createdAt: toUtcIso(message.createdAt),
      completedAt: message.completedAt === null ? null : toUtcIso(message.completedAt),
    })),
  };
}

/** The run each assistant message with a run id and a status ended. */
export function runsOf(messages: readonly MessageRecord[]): RunRecord[] {
  return messages.flatMap((message) =>
    message.role === 'assistant' && message.runId !== null && message.runStatus !== null
      ? [
          {
            id: message.runId,
            threadId: message.threadId,
            userId: message.userId,
            messageId: message.id,
            status: message.runStatus,
            model: message.model,
            usage: message.usage,
            createdAt: message.createdAt,
            completedAt: message.completedAt,
          },
        ]
      : [],
  );
}

/** When a message last changed the thread: its completion, else its creation. */
export const messageActivityAt = (message: Pick<MessageRecord, 'createdAt' | 'completedAt'>) =>
  message.completedAt ?? message.createdAt;
