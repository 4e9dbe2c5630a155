import { z } from 'zod';
import { localValue, parseStoredJson } from './local-store.js';

/** Questions typed while the server was unreachable, sent in order once it is back. */
export const queuedQuestionSchema = z.object({
  id: z.string(),
  content: z.string(),
  queuedAt: z.string(),
});
export type QueuedQuestion = z.infer<typeof queuedQuestionSchema>;

const queueSchema = z.array(queuedQuestionSchema);

export const offlineQueue = localValue<QueuedQuestion[]>('threadline.offlineQueue', (raw) =>
  parseStoredJson(raw, (value) => queueSchema.safeParse(value).data ?? null, []),
);

export function enqueueQuestion(content: string, now = new Date()): QueuedQuestion {
  const item = {
    id: `q_${now.getTime()}_${Math.random().toString(36).slice(2, 8)}`,
    content,
    queuedAt: now.toISOString(),
  };
  offlineQueue.set([...offlineQueue.get(), item]);
  return item;
}

/** Takes the oldest question off the queue (first in, first out). */
export function takeNextQuestion(): QueuedQuestion | null {
  const [first, ...rest] = offlineQueue.get();
  if (!first) return null;
  offlineQueue.set(rest);
  return first;
}

export function removeQueuedQuestion(id: string): void {
  offlineQueue.set(offlineQueue.get().filter((item) => item.id !== id));
}
