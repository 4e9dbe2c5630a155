import {
  encodeNdjsonEvent,
  encodeSseEvent,
  type AssistantStreamEvent,
  type Message,
  type Run,
  type RunStatus,
} from '@threadline/shared';

/** Builders for Assistants events as the servers send them, for stream and component tests. */
export const threadId = 'thread_test';
export const runId = 'run_test';
export const messageId = 'msg_test';

export function run(status: RunStatus, overrides: Partial<Run> = {}): Run {
  return {
    id: runId,
    object: 'thread.run',
    created_at: 1,
    thread_id: threadId,
    assistant_id: 'asst_test',
    status,
    required_action: null,
    last_error: null,
    expires_at: null,
    started_at: 1,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: 'local',
    instructions: null,
    tools: [{ type: 'file_search' }],
    metadata: null,
    usage: null,
    ...overrides,
  };
}

export const citation = (marker: string, start: number, fileId: string, quote?: string) => ({
  type: 'file_citation' as const,
  text: marker,
  start_index: start,
  end_index: start + marker.length,
  file_citation: quote === undefined ? { file_id: fileId } : { file_id: fileId, quote },
});

export function message(text = '', annotations: ReturnType<typeof citation>[] = []): Message {
  return {
    id: messageId,
    object: 'thread.message',
    created_at: 1,
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: 2,
    incomplete_at: null,
    role: 'assistant',
    content: text === '' ? [] : [{ type: 'text', text: { value: text, annotations } }],
    assistant_id: 'asst_test',
    run_id: runId,
    attachments: null,
    metadata: null,
  };
}

export const delta = (
  value: string,
  annotations: ReturnType<typeof citation>[] = [],
): AssistantStreamEvent => ({
  event: 'thread.message.delta',
  data: {
    id: messageId,
    object: 'thread.message.delta',
    delta: {
      content: [
        {
          index: 0,
          type: 'text',
          text: { value, annotations: annotations.map((annotation, index) => ({ index, ...annotation })) },
        },
      ],
    },
  },
});

const statusOf = (name: string): RunStatus => {
  const status = name.replace('thread.run.', '');
  return status === 'created' ? 'queued' : (status as RunStatus);
};

export const runEvent = (
  name: Extract<AssistantStreamEvent['event'], `thread.run.${string}`>,
  overrides: Partial<Run> = {},
) => ({ event: name, data: run(statusOf(name), overrides) }) as AssistantStreamEvent;

/** A complete answer: created → message → deltas → completed → done. */
export function answerEvents(
  parts: string[],
  end: AssistantStreamEvent[] = [runEvent('thread.run.completed')],
) {
  const created: AssistantStreamEvent = {
    event: 'thread.message.created',
    data: { ...message(), status: 'in_progress' },
  };
  return [
    runEvent('thread.run.created'),
    runEvent('thread.run.in_progress'),
    created,
    ...parts.map((part) => delta(part)),
    ...end,
  ];
}

export const done: AssistantStreamEvent = { event: 'done', data: '[DONE]' };

export const toSse = (events: AssistantStreamEvent[]) => events.map(encodeSseEvent).join('');
export const toNdjson = (events: AssistantStreamEvent[]) => events.map(encodeNdjsonEvent).join('');

/** A body that delivers `text` in chunks of `size` characters, to exercise frame splitting. */
export function chunkedBody(text: string, size: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let at = 0;
  return new ReadableStream({
    pull(controller) {
      if (at >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(at, at + size));
      at += size;
    },
  });
}
