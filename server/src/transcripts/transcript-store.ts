import type { ThreadSummary, TranscriptMessage } from '@threadline/shared';
import type { MessageRecord, ThreadRecord } from './transcript-recorder.js';

/** A run as the store keeps it: derived from the assistant message that ended it. */
export type RunRecord = {
  id: string;
  threadId: string;
  userId: string;
  messageId: string;
  status: NonNullable<TranscriptMessage['runStatus']>;
  model: string | null;
  usage: TranscriptMessage['usage'];
  createdAt: string;
  completedAt: string | null;
};

/** One drained batch of the background writer: upserts keyed by id, so replaying it is harmless. */
export type WriteBatch = { threads: ThreadRecord[]; messages: MessageRecord[] };

export type ThreadPageQuery = { limit: number; cursor?: string | undefined; q?: string | undefined };
export type ThreadPage = { data: ThreadSummary[]; nextCursor: string | null };

/** A thread summary plus its owner, as stores return it to the routes. */
export type StoredThread = ThreadSummary & { userId: string };

/**
 * Where transcripts live (SQLite or MongoDB). Writes arrive only through `writeBatch` from the
 * background writer; reads and user edits (rename, delete) come from the thread routes.
 * Thread counters (message count, preview, updatedAt) are recomputed from the stored messages, never
 * incremented, so replays leave them right.
 */
export interface TranscriptStore {
  readonly kind: 'sqlite' | 'mongodb';
  /** Idempotent upserts; writes for deleted threads are dropped. Throws when the database fails. */
  writeBatch(batch: WriteBatch): Promise<void>;
  /** Whether an error from `writeBatch` may go away by itself (network, timeout, database down). */
  isTransientError(error: unknown): boolean;
  findThreadOwner(threadId: string): Promise<string | null>;
  getThread(userId: string, threadId: string): Promise<StoredThread | null>;
  listThreads(userId: string, query: ThreadPageQuery): Promise<ThreadPage>;
  /** Oldest first. */
  listMessages(userId: string, threadId: string): Promise<TranscriptMessage[]>;
  listRuns(userId: string, threadId: string): Promise<RunRecord[]>;
  /** Sets a user-chosen title that later automatic titles never overwrite; null when not found. */
  renameThread(userId: string, threadId: string, title: string): Promise<StoredThread | null>;
  /**
   * Deletes the transcript and remembers the id so late or replayed writes cannot revive it (also
   * when nothing is stored yet). False when nothing was stored or another user owns the thread.
   */
  deleteThread(userId: string, threadId: string): Promise<boolean>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
