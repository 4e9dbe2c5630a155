import { randomUUID } from 'node:crypto';
import type { MessageRecord, ThreadRecord } from '../../src/transcripts/transcript-recorder.js';

const at = (minute: number) => new Date(Date.UTC(2026, 0, 1, 12, minute)).toISOString();

export const fixtureId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

export function threadFixture(overrides: Partial<ThreadRecord> = {}): ThreadRecord {
  return {
    id: fixtureId('thread'),
    userId: 'alice',
    title: '',
    engine: 'local',
    vectorStoreIds: ['vs_1'],
    createdAt: at(0),
    updatedAt: at(0),
    ...overrides,
  };
}

export function userMessageFixture(thread: ThreadRecord, text: string, minute = 1): MessageRecord {
  return {
    id: fixtureId('msg'),
    threadId: thread.id,
    userId: thread.userId,
    role: 'user',
    text,
    citations: [],
    runId: null,
    runStatus: null,
    model: null,
    usage: null,
    createdAt: at(minute),
    completedAt: null,
  };
}

export function assistantMessageFixture(
  thread: ThreadRecord,
  text: string,
  minute = 2,
  overrides: Partial<MessageRecord> = {},
): MessageRecord {
  return {
    id: fixtureId('msg'),
    threadId: thread.id,
    userId: thread.userId,
    role: 'assistant',
    text,
    citations: [
      {
        index: 1,
        marker: '【0†source】',
        startIndex: 0,
        endIndex: 4,
        fileId: 'file_1',
        fileName: null,
        quote: 'q',
      },
    ],
    runId: fixtureId('run'),
    runStatus: 'completed',
    model: 'gpt-4.1-mini',
    usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
    createdAt: at(minute),
    completedAt: at(minute + 1),
    ...overrides,
  };
}

export { at as minuteIso };
