import type { AssistantStreamEvent, Message, Run, Thread } from '@threadline/shared';
import type { Engine, FileApi, VectorStoreApi } from '../../server/src/engines/engine.js';

/**
 * BENCH ONLY: an engine that answers instantly, so the stream benchmark measures the relay and
 * nothing else. The user message picks the answer: `burst:N` (N deltas as fast as they can be
 * consumed) or `paced:N:MS` (N deltas, MS apart).
 */
export class SyntheticEngine implements Engine {
  readonly name = 'local' as const;
  readonly identity = 'synthetic:bench';
  private readonly threads = new Map<string, { thread: Thread; lastContent: string }>();
  private sequence = 0;

  async createThread(): Promise<Thread> {
    const thread: Thread = {
      id: `thread_${++this.sequence}`,
      object: 'thread',
      created_at: now(),
      metadata: {},
    };
    this.threads.set(thread.id, { thread, lastContent: '' });
    return thread;
  }
  async getThread(threadId: string) {
    return this.threads.get(threadId)?.thread ?? null;
  }
  async deleteThread(threadId: string) {
    return this.threads.delete(threadId);
  }
  async cancelActiveRuns(): Promise<void> {}
  async appendMessage(threadId: string, input: { content: string }): Promise<Message> {
    const entry = this.threads.get(threadId);
    if (entry) entry.lastContent = input.content;
    return message(`msg_u${++this.sequence}`, threadId, 'user', input.content);
  }
  streamRun(threadId: string, _options: object, signal: AbortSignal): AsyncIterable<AssistantStreamEvent> {
    const [mode = 'burst', count = '10', pace = '0'] = (this.threads.get(threadId)?.lastContent ?? '').split(
      ':',
    );
    return answer(
      threadId,
      `run_${++this.sequence}`,
      Number(count),
      mode === 'paced' ? Number(pace) : 0,
      signal,
    );
  }
  submitToolOutputs(): AsyncIterable<AssistantStreamEvent> {
    throw new Error('not in the bench');
  }
  async listMessages() {
    return [];
  }
  async listModels() {
    return [{ id: 'synthetic', ownedBy: 'bench', description: 'instant answers' }];
  }
  async health() {
    return { reachable: true };
  }
  readonly vectorStores = unsupported<VectorStoreApi>();
  readonly files = unsupported<FileApi>();
  async close() {}
}

const now = () => Math.floor(Date.now() / 1000);

function unsupported<T extends object>(): T {
  return new Proxy({} as T, {
    get: () => () => Promise.reject(new Error('not in the bench')),
  });
}

function message(id: string, threadId: string, role: 'user' | 'assistant', value: string): Message {
  return {
    id,
    object: 'thread.message',
    created_at: now(),
    thread_id: threadId,
    status: 'completed',
    incomplete_details: null,
    completed_at: null,
    incomplete_at: null,
    role,
    content: [{ type: 'text', text: { value, annotations: [] } }],
    assistant_id: null,
    run_id: null,
    attachments: null,
    metadata: {},
  };
}

function run(id: string, threadId: string, status: Run['status']): Run {
  return {
    id,
    object: 'thread.run',
    created_at: now(),
    thread_id: threadId,
    assistant_id: 'asst_bench',
    status,
    required_action: null,
    last_error: null,
    expires_at: null,
    started_at: null,
    cancelled_at: null,
    failed_at: null,
    completed_at: null,
    incomplete_details: null,
    model: 'synthetic',
    instructions: null,
    tools: [],
    metadata: {},
    usage: null,
  };
}

async function* answer(
  threadId: string,
  runId: string,
  count: number,
  paceMs: number,
  signal: AbortSignal,
): AsyncIterable<AssistantStreamEvent> {
  yield { event: 'thread.run.created', data: run(runId, threadId, 'queued') };
  const messageId = `msg_${runId}`;
  yield {
    event: 'thread.message.created',
    data: { ...message(messageId, threadId, 'assistant', ''), status: 'in_progress' },
  };
  for (let index = 0; index < count; index += 1) {
    if (signal.aborted) {
      yield { event: 'thread.run.cancelled', data: run(runId, threadId, 'cancelled') };
      return;
    }
    if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
    yield {
      event: 'thread.message.delta',
      data: {
        id: messageId,
        object: 'thread.message.delta',
        delta: { content: [{ index: 0, type: 'text', text: { value: 'token ' } }] },
      },
    };
  }
  yield {
    event: 'thread.message.completed',
    data: message(messageId, threadId, 'assistant', 'token '.repeat(count)),
  };
  yield { event: 'thread.run.completed', data: run(runId, threadId, 'completed') };
}
