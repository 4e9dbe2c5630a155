import type { AssistantStreamEvent, Message, RunStep } from '@threadline/shared';
import { newAssistantMessage, newStep, type UpstreamRunContext } from './assistants-objects.js';
import type { CitedPiece } from './citation-markers.js';
import { CitationStream } from './citation-stream.js';

type OpenMessage = { message: Message; step: RunStep; parts: Map<number, CitationStream> };

/** How the messages still open end when the run ends without finishing them. */
export type MessageEnding =
  | { kind: 'cancelled' }
  | { kind: 'failed'; lastError: { code: string; message: string } }
  | { kind: 'incomplete'; reason: 'max_tokens' | 'content_filter' };

/**
 * The assistant messages of one run: a `message_creation` step and `thread.message.created`
 * per Responses output message, text and citations through a CitationStream per content
 * part, and the message snapshots the completed/incomplete events carry.
 */
export class AnswerMessages {
  private readonly open = new Map<string, OpenMessage>();

  constructor(
    private readonly context: () => UpstreamRunContext,
    private readonly now: () => number,
  ) {}

  /** Announces the message (step first, as OpenAI did); nothing when it is already open. */
  start(itemId: string): AssistantStreamEvent[] {
    if (this.open.has(itemId)) return [];
    const createdAt = this.now();
    const step = newStep(this.context(), `step_${itemId}`, createdAt, { messageId: itemId });
    const message = newAssistantMessage(this.context(), itemId, createdAt);
    this.open.set(itemId, { message, step, parts: new Map() });
    return [
      { event: 'thread.run.step.created', data: step },
      { event: 'thread.run.step.in_progress', data: step },
      { event: 'thread.message.created', data: message },
      { event: 'thread.message.in_progress', data: message },
    ];
  }

  /** Text and citations both go through the part's CitationStream so markers land in order. */
  push(
    itemId: string,
    contentIndex: number,
    push: (stream: CitationStream) => CitedPiece[],
  ): AssistantStreamEvent[] {
    const open = this.open.get(itemId);
    if (!open) return [];
    let stream = open.parts.get(contentIndex);
    if (!stream) {
      stream = new CitationStream();
      open.parts.set(contentIndex, stream);
    }
    const delta = deltaEvent(itemId, contentIndex, push(stream));
    return delta ? [delta] : [];
  }

  complete(itemId: string): AssistantStreamEvent[] {
    const open = this.open.get(itemId);
    if (!open) return [];
    this.open.delete(itemId);
    return [
      ...flush(open),
      this.messageEvent(open, 'thread.message.completed', { status: 'completed', completed_at: this.now() }),
      {
        event: 'thread.run.step.completed',
        data: { ...open.step, status: 'completed', completed_at: this.now() },
      },
    ];
  }

  completeAll(): AssistantStreamEvent[] {
    return [...this.open.keys()].flatMap((itemId) => this.complete(itemId));
  }

  /** Closes every open message as incomplete, with the step ended to match. */
  endAll(ending: MessageEnding): AssistantStreamEvent[] {
    const now = this.now();
    const events: AssistantStreamEvent[] = [];
    for (const open of this.open.values()) {
      if (ending.kind === 'cancelled') {
        for (const stream of open.parts.values()) stream.discardPending();
      } else {
        events.push(...flush(open));
      }
      const reason =
        ending.kind === 'cancelled'
          ? 'run_cancelled'
          : ending.kind === 'failed'
            ? 'run_failed'
            : ending.reason;
      events.push(
        this.messageEvent(open, 'thread.message.incomplete', {
          status: 'incomplete',
          incomplete_at: now,
          incomplete_details: { reason },
        }),
        ending.kind === 'cancelled'
          ? {
              event: 'thread.run.step.cancelled',
              data: { ...open.step, status: 'cancelled', cancelled_at: now },
            }
          : ending.kind === 'failed'
            ? {
                event: 'thread.run.step.failed',
                data: { ...open.step, status: 'failed', failed_at: now, last_error: ending.lastError },
              }
            : {
                event: 'thread.run.step.completed',
                data: { ...open.step, status: 'completed', completed_at: now },
              },
      );
    }
    this.open.clear();
    return events;
  }

  private messageEvent(
    open: OpenMessage,
    event: 'thread.message.completed' | 'thread.message.incomplete',
    changes: Partial<Message>,
  ): AssistantStreamEvent {
    const content: Message['content'] = [...open.parts.entries()]
      .sort(([left], [right]) => left - right)
      .map(([, stream]) => ({ type: 'text', text: { value: stream.text, annotations: stream.annotations } }));
    open.message = { ...open.message, ...changes, content };
    return { event, data: open.message };
  }
}

/** Markers still waiting for text that never came go at the end. */
const flush = (open: OpenMessage): AssistantStreamEvent[] =>
  [...open.parts].flatMap(([contentIndex, stream]) => {
    const delta = deltaEvent(open.message.id, contentIndex, stream.finish());
    return delta ? [delta] : [];
  });

function deltaEvent(
  itemId: string,
  contentIndex: number,
  pieces: CitedPiece[],
): AssistantStreamEvent | undefined {
  if (pieces.length === 0) return undefined;
  const annotations = pieces.flatMap((piece) =>
    piece.kind === 'marker' ? [{ index: piece.ordinal, ...piece.annotation }] : [],
  );
  return {
    event: 'thread.message.delta',
    data: {
      id: itemId,
      object: 'thread.message.delta',
      delta: {
        content: [
          {
            index: contentIndex,
            type: 'text',
            text: {
              value: pieces.map((piece) => piece.text).join(''),
              ...(annotations.length > 0 ? { annotations } : {}),
            },
          },
        ],
      },
    },
  };
}
