import type { Citation, TranscriptMessage } from '@threadline/shared';

/** A thread as the transcript store keeps it. Dates are ISO strings. */
export type ThreadRecord = {
  id: string;
  userId: string;
  title: string;
  engine: string;
  vectorStoreIds: string[];
  createdAt: string;
  updatedAt: string;
};

/** A message as the transcript store keeps it (the wire shape plus its owner). */
export type MessageRecord = TranscriptMessage & { userId: string };

export type { Citation };

/**
 * What the orchestrator hands to background persistence. Every call returns at once: writes are
 * queued (bounded, batched, idempotent by id, with a durable outbox) and never slow a stream.
 */
export interface TranscriptRecorder {
  /** Upserts the thread (keyed by id); a later call may change title/vector stores/updatedAt. */
  recordThread(thread: ThreadRecord): void;
  /** Upserts the message keyed by its id: the user message on arrival, the assistant's at run end. */
  recordMessage(message: MessageRecord): void;
  /**
   * A send's arrival: its thread when the send created it, and the user message, journaled
   * together (one write on the path to the stream's first event; both survive a crash or neither).
   */
  recordTurn(turn: { thread?: ThreadRecord | undefined; message: MessageRecord }): void;
  /** The owner of a thread, seeing writes still queued; null when no one has it. */
  findThreadOwner(threadId: string): Promise<string | null>;
}

declare module 'fastify' {
  interface FastifyInstance {
    recorder: TranscriptRecorder;
  }
}
