import type { Message } from '@threadline/shared';
import type { AnswerPiece } from './answer-piece.js';
import { AnswerTextBuilder } from './answer-text-builder.js';
import type { StoredRunContext } from '../store/engine-store.js';
import { newId, nowSeconds } from '../store/ids.js';
import type { RunPublisher } from '../runs/run-publisher.js';

type StreamedPiece = Extract<AnswerPiece, { type: 'text' | 'citation' }>;

const checkpointEveryDeltas = 16;

/**
 * The assistant message a turn streams its answer into. It is created lazily, on the first
 * piece of text, so a turn that only calls tools leaves no empty message behind.
 */
export class AnswerMessage {
  private message: Message | null = null;
  private builder: AnswerTextBuilder | null = null;
  private deltaCount = 0;

  constructor(
    private readonly publisher: RunPublisher,
    private readonly context: StoredRunContext,
  ) {}

  get isOpen(): boolean {
    return this.message !== null;
  }

  get text(): string {
    return this.builder?.value ?? '';
  }

  append(piece: StreamedPiece): void {
    const builder = this.ensure();
    const content =
      piece.type === 'text'
        ? builder.appendText(piece.text)
        : builder.appendCitation(piece.source, piece.quote);
    if (content && this.message) this.publisher.publishDelta(this.message.id, content);
    this.checkpoint(++this.deltaCount);
  }

  ensure(): AnswerTextBuilder {
    if (this.builder && this.message) return this.builder;
    const { run } = this.publisher;
    const messageId = newId('msg');
    this.publisher.createStep({ type: 'message_creation', message_creation: { message_id: messageId } });
    const message: Message = {
      id: messageId,
      object: 'thread.message',
      created_at: nowSeconds(),
      thread_id: run.thread_id,
      status: 'in_progress',
      incomplete_details: null,
      completed_at: null,
      incomplete_at: null,
      role: 'assistant',
      content: [],
      assistant_id: run.assistant_id,
      run_id: run.id,
      attachments: [],
      metadata: {},
    };
    this.publisher.insertMessage(message);
    this.message = message;
    this.builder = new AnswerTextBuilder(this.context.messageIndex, this.context.hits);
    this.publisher.publish('thread.message.created', message);
    this.publisher.publish('thread.message.in_progress', message);
    return this.builder;
  }

  finish(status: 'completed' | 'incomplete', reason?: 'run_cancelled' | 'run_failed' | 'max_tokens'): void {
    const message = this.message;
    if (!message) return;
    const now = nowSeconds();
    const finished: Message = {
      ...message,
      status,
      content: this.builder?.content() ?? [],
      completed_at: status === 'completed' ? now : null,
      incomplete_at: status === 'incomplete' ? now : null,
      incomplete_details: reason ? { reason } : null,
    };
    this.publisher.updateMessage(finished);
    this.message = null;
    this.publisher.publish(
      status === 'completed' ? 'thread.message.completed' : 'thread.message.incomplete',
      finished,
    );
    // An incomplete message's step is closed with the run's own outcome (cancelled or failed); a
    // message cut by the run's token limit was written to its end, so its step completed.
    const step = this.publisher.openStep('message_creation');
    if (step && (status === 'completed' || reason === 'max_tokens'))
      this.publisher.finishStep(step, 'completed');
  }

  /** Saves the text so far now and then, so a crash mid-answer still leaves the partial answer. */
  private checkpoint(deltaCount: number): void {
    if (deltaCount % checkpointEveryDeltas !== 0 || !this.message || !this.builder) return;
    this.publisher.updateMessage({ ...this.message, content: this.builder.content() });
  }
}
