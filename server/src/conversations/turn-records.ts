import type { Thread } from '@threadline/shared';
import {
  compareTitlePrefix,
  defaultThreadTitle,
  type MessageRecord,
  type ThreadRecord,
} from '../transcripts/index.js';

/** The history's record of a thread a send has just created (its title from the question). */
export function newThreadRecord(input: {
  thread: Thread;
  userId: string;
  engine: string;
  content: string;
  origin: 'chat' | 'compare' | undefined;
  vectorStoreIds: string[] | undefined;
}): ThreadRecord {
  const now = new Date().toISOString();
  const title = defaultThreadTitle(input.content);
  return {
    id: input.thread.id,
    userId: input.userId,
    title: input.origin === 'compare' ? `${compareTitlePrefix}${title}` : title,
    engine: input.engine,
    vectorStoreIds: input.vectorStoreIds ?? input.thread.tool_resources?.file_search?.vector_store_ids ?? [],
    createdAt: now,
    updatedAt: now,
  };
}

/** A change of the stores an existing thread searches; title '' keeps the thread's title. */
export function storesChangeRecord(input: {
  threadId: string;
  userId: string;
  engine: string;
  vectorStoreIds: string[];
}): ThreadRecord {
  const now = new Date().toISOString();
  return { id: input.threadId, title: '', ...input, createdAt: now, updatedAt: now };
}

/** The user's message as the history keeps it, recorded when it arrives. */
export function userMessageRecord(input: {
  messageId: string;
  threadId: string;
  userId: string;
  text: string;
}): MessageRecord {
  return {
    id: input.messageId,
    threadId: input.threadId,
    role: 'user',
    text: input.text,
    citations: [],
    runId: null,
    runStatus: null,
    model: null,
    usage: null,
    // Arrival time in ms (the engine's is whole seconds) keeps question before answer.
    createdAt: new Date().toISOString(),
    completedAt: null,
    userId: input.userId,
  };
}
