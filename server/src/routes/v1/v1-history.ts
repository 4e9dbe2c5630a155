import { textAndCitationsOf, type Message, type Thread, type TranscriptMessage } from '@threadline/shared';
import type { FastifyInstance } from 'fastify';
import type { ThreadRecord } from '../../transcripts/index.js';

/**
 * What /v1 (and the Responses and Conversations APIs over it) writes to the transcript store, so a
 * thread made or continued there is in the web app's history like a chat thread: the thread, each
 * message as it is added, and each run's answer when the run ends (see v1-run-pump.ts).
 */

/** The thread as the history keeps it. An empty title keeps the one it has, or takes the first question's. */
export function threadRecordOf(
  thread: Thread,
  userId: string,
  engine: string,
  now = new Date(),
): ThreadRecord {
  const at = now.toISOString();
  return {
    id: thread.id,
    userId,
    title: '',
    engine,
    vectorStoreIds: thread.tool_resources?.file_search?.vector_store_ids ?? [],
    createdAt: new Date(Math.min(thread.created_at * 1000, now.getTime())).toISOString(),
    updatedAt: at,
  };
}

/** A message the caller added (not a run's answer, which the run pump records). */
export function transcriptMessageOf(message: Message, now = new Date()): TranscriptMessage {
  const { text } = textAndCitationsOf(message);
  return {
    id: message.id,
    threadId: message.thread_id,
    role: message.role,
    text,
    citations: [],
    runId: null,
    runStatus: null,
    model: null,
    usage: null,
    // Arrival time in ms (the engine's is whole seconds) keeps question before answer.
    createdAt: now.toISOString(),
    completedAt: null,
  };
}

/**
 * Records messages added to a thread through /v1 (or none, for a new empty thread), with the
 * thread's record refreshed (stores, updatedAt) and journaled together with the first of them.
 */
export function recordV1Messages(
  app: FastifyInstance,
  thread: Thread,
  userId: string,
  messages: Message[],
): void {
  const record = threadRecordOf(thread, userId, app.engine.name);
  if (messages.length === 0) {
    app.recorder.recordThread(record);
    return;
  }
  messages.forEach((message, index) => {
    // A millisecond apart, so the history keeps the order they were given in.
    const at = new Date(Date.now() + index);
    app.recorder.recordTurn({
      thread: index === 0 ? record : undefined,
      message: { ...transcriptMessageOf(message, at), userId },
    });
  });
}

/** Forgets a thread's transcript when its thread is deleted through /v1 (the web app's delete does both too). */
export async function forgetV1Thread(app: FastifyInstance, threadId: string, userId: string): Promise<void> {
  if ((await app.transcriptWriter.findThreadOwner(threadId)) !== userId) return;
  await app.transcripts.deleteThread(userId, threadId);
  app.transcriptWriter.forgetThread(threadId);
}
