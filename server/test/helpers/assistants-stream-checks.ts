import { parseAssistantStreamEvent, type AssistantStreamEvent, type Message } from '@threadline/shared';

const terminalRunEvents = new Set([
  'thread.run.completed',
  'thread.run.failed',
  'thread.run.cancelled',
  'thread.run.incomplete',
  'thread.run.expired',
  'thread.run.requires_action',
]);

/**
 * The ordering rules front ends (and openai-node's AssistantStream accumulator) rely on.
 * Returns every broken rule, so a failing test names them all.
 */
export function assistantsStreamProblems(events: readonly AssistantStreamEvent[]): string[] {
  const problems: string[] = [];
  const messages = new Set<string>();
  const steps = new Set<string>();
  events.forEach((event, position) => {
    const where = `#${position} ${event.event}`;
    if (!parseAssistantStreamEvent(event).success) problems.push(`${where}: does not match the schema`);
    if (event.event === 'done') problems.push(`${where}: engines never yield done`);
    if (position === 0 && event.event !== 'thread.run.created' && event.event !== 'thread.run.queued')
      problems.push(`${where}: the first event must announce the run`);
    const id = typeof event.data === 'object' && 'id' in event.data ? event.data.id : '';
    if (event.event === 'thread.message.created') messages.add(id);
    if (event.event === 'thread.run.step.created') steps.add(id);
    if (
      event.event.startsWith('thread.message.') &&
      event.event !== 'thread.message.created' &&
      !messages.has(id)
    )
      problems.push(`${where}: message ${id} used before thread.message.created`);
    if (
      event.event.startsWith('thread.run.step.') &&
      event.event !== 'thread.run.step.created' &&
      !steps.has(id)
    )
      problems.push(`${where}: step ${id} used before thread.run.step.created`);
    if (terminalRunEvents.has(event.event) && position !== events.length - 1)
      problems.push(`${where}: a terminal run event must be the last event`);
  });
  const last = events.at(-1);
  if (!last || !terminalRunEvents.has(last.event))
    problems.push('the stream must end with a terminal run event');
  return problems;
}

/** Concatenated delta text per message id, as a client rendering deltas would show it. */
export function streamedText(events: readonly AssistantStreamEvent[]): Map<string, string> {
  const texts = new Map<string, string>();
  for (const event of events) {
    if (event.event !== 'thread.message.delta') continue;
    for (const part of event.data.delta.content) {
      texts.set(event.data.id, (texts.get(event.data.id) ?? '') + (part.text?.value ?? ''));
    }
  }
  return texts;
}

export function finalMessage(events: readonly AssistantStreamEvent[]): Message | undefined {
  for (const event of [...events].reverse()) {
    if (event.event === 'thread.message.completed' || event.event === 'thread.message.incomplete')
      return event.data;
  }
  return undefined;
}

export const textOf = (message: Message | undefined): string =>
  message?.content.map((part) => (part.type === 'text' ? part.text.value : '')).join('') ?? '';
