import {
  textAndCitationsOf,
  type AssistantStreamEvent,
  type Citation,
  type Message,
  type RunStatus,
  type TranscriptMessage,
  type Usage,
} from '@threadline/shared';

type TranscriptRunStatus = NonNullable<TranscriptMessage['runStatus']>;

/**
 * How a run's stream ended: the engine finished it, it was stopped (Stop, a newer send, shutdown,
 * the client leaving under ON_CLIENT_LEAVE=cancel), or the engine threw.
 */
export type StreamOutcome = 'ended' | 'stopped' | 'failed';

type PartialCitation = Omit<Citation, 'index' | 'fileName'>;
/** `firstSeenAt` in ms: engine timestamps are whole seconds, too coarse to order a transcript. */
type MessagePart = { id: string; firstSeenAt: number; text: string; citations: PartialCitation[] };

const toTranscriptStatus = (status: RunStatus): TranscriptRunStatus => {
  switch (status) {
    case 'queued':
    case 'in_progress':
      return 'in_progress';
    case 'cancelling':
    case 'cancelled':
      return 'cancelled';
    case 'requires_action':
    case 'completed':
    case 'failed':
    case 'incomplete':
    case 'expired':
      return status;
  }
};

/**
 * Folds a run's event stream into the assistant message the transcript keeps: text, citations
 * (marker, offsets, file, quote), run id and status, model and usage. Deltas build the text as
 * it streams; a `completed`/`incomplete` message replaces it with the engine's final version.
 */
export class TranscriptAccumulator {
  private readonly parts = new Map<string, MessagePart>();
  private readonly fileNames = new Map<string, string>();
  private runId: string | null = null;
  private runStatus: RunStatus | null = null;
  private model: string | null = null;
  private usage: Usage | null = null;
  private hasError = false;

  push(event: AssistantStreamEvent): void {
    switch (event.event) {
      case 'thread.run.created':
      case 'thread.run.queued':
      case 'thread.run.in_progress':
      case 'thread.run.requires_action':
      case 'thread.run.completed':
      case 'thread.run.incomplete':
      case 'thread.run.failed':
      case 'thread.run.cancelling':
      case 'thread.run.cancelled':
      case 'thread.run.expired':
        this.runId = event.data.id;
        this.runStatus = event.data.status;
        this.model = event.data.model;
        if (event.data.usage) this.usage = event.data.usage;
        return;
      case 'thread.run.step.created':
      case 'thread.run.step.in_progress':
      case 'thread.run.step.completed':
      case 'thread.run.step.failed':
      case 'thread.run.step.cancelled':
      case 'thread.run.step.expired': {
        const details = event.data.step_details;
        if (details.type !== 'tool_calls') return;
        for (const call of details.tool_calls) {
          if (call.type !== 'file_search') continue;
          for (const result of call.file_search.results ?? [])
            this.fileNames.set(result.file_id, result.file_name);
        }
        return;
      }
      case 'thread.message.created':
      case 'thread.message.in_progress':
        if (event.data.role === 'assistant') this.partFor(event.data.id);
        return;
      case 'thread.message.completed':
      case 'thread.message.incomplete':
        if (event.data.role === 'assistant') this.replaceWith(event.data);
        return;
      case 'thread.message.delta':
        this.applyDelta(event.data);
        return;
      case 'error':
        this.hasError = true;
        return;
      case 'thread.created':
      case 'thread.run.step.delta':
      case 'done':
        return;
    }
  }

  get currentRunId(): string | null {
    return this.runId;
  }

  /** The run's last reported status (null before any run event). */
  get currentRunStatus(): RunStatus | null {
    return this.runStatus;
  }

  /**
   * The assistant message to record, or null when no run began. A stream cut short without a
   * terminal run event is recorded as cancelled (stopped) or failed (engine threw).
   */
  toTranscriptMessage(threadId: string, outcome: StreamOutcome, now = new Date()): TranscriptMessage | null {
    if (this.runId === null) return null;
    const parts = [...this.parts.values()];
    const first = parts[0];
    let text = '';
    const citations: Citation[] = [];
    for (const part of parts) {
      if (text !== '' && part.text !== '') text += '\n\n';
      const offset = text.length;
      for (const citation of part.citations) {
        citations.push({
          ...citation,
          index: citations.length + 1,
          startIndex: citation.startIndex + offset,
          endIndex: citation.endIndex + offset,
          fileName: this.fileNames.get(citation.fileId) ?? null,
        });
      }
      text += part.text;
    }
    const runStatus = this.finalStatus(outcome);
    const isFinished = runStatus !== 'in_progress';
    return {
      id: first?.id ?? `msg_${this.runId}`,
      threadId,
      role: 'assistant',
      text,
      citations,
      runId: this.runId,
      runStatus,
      model: this.model,
      usage: this.usage
        ? {
            promptTokens: this.usage.prompt_tokens,
            completionTokens: this.usage.completion_tokens,
            totalTokens: this.usage.total_tokens,
          }
        : null,
      createdAt: first ? new Date(first.firstSeenAt).toISOString() : now.toISOString(),
      completedAt: isFinished ? now.toISOString() : null,
    };
  }

  private finalStatus(outcome: StreamOutcome): TranscriptRunStatus {
    const reported = this.runStatus ? toTranscriptStatus(this.runStatus) : 'in_progress';
    if (reported !== 'in_progress') return reported;
    if (outcome === 'stopped') return 'cancelled';
    if (outcome === 'failed' || this.hasError) return 'failed';
    return reported;
  }

  private partFor(id: string): MessagePart {
    let part = this.parts.get(id);
    if (!part) {
      part = { id, firstSeenAt: Date.now(), text: '', citations: [] };
      this.parts.set(id, part);
    }
    return part;
  }

  private applyDelta(delta: Extract<AssistantStreamEvent, { event: 'thread.message.delta' }>['data']): void {
    if (delta.delta.role === 'user') return;
    const part = this.partFor(delta.id);
    for (const content of delta.delta.content) {
      if (content.type !== 'text' || !content.text) continue;
      part.text += content.text.value ?? '';
      for (const annotation of content.text.annotations ?? []) {
        if (annotation.type !== 'file_citation' || !annotation.file_citation) continue;
        const marker = annotation.text ?? '';
        // Delta offsets are absolute within the message; without them, where the marker landed.
        const startIndex = annotation.start_index ?? Math.max(0, part.text.lastIndexOf(marker));
        part.citations.push({
          marker,
          startIndex,
          endIndex: annotation.end_index ?? startIndex + marker.length,
          fileId: annotation.file_citation.file_id,
          quote: annotation.file_citation.quote ?? null,
        });
      }
    }
  }

  private replaceWith(message: Message): void {
    const part = this.partFor(message.id);
    const { text, citations } = textAndCitationsOf(message);
    // An engine that ends a message early may send it without the text it streamed; keep ours.
    if (text === '' && part.text !== '') return;
    part.text = text;
    part.citations = citations;
  }
}
