import type { TranscriptMessage } from '@threadline/shared';
import { emptyAnswer, type Answer } from '../../components/answer/answer.js';
import type { RunProblem } from '../../lib/run-outcome.js';

/** One question and its answer. */
export type Turn = { id: string; question: string; answer: Answer };

const storedProblem = (status: TranscriptMessage['runStatus']): RunProblem | null => {
  switch (status) {
    case 'failed':
      return { title: 'The answer failed', detail: 'This run failed when it was asked. Ask again to retry.' };
    case 'expired':
      return { title: 'The answer took too long', detail: 'This run expired. Ask again to retry.' };
    case 'incomplete':
      return { title: 'The answer is incomplete', detail: 'This run stopped early.' };
    case 'completed':
    case 'cancelled':
    case 'requires_action':
    case 'in_progress':
    case null:
      return null;
  }
};

/** Pairs each stored question with the assistant messages that follow it. */
export function turnsFromTranscript(messages: TranscriptMessage[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === 'user') {
      turns.push({ id: message.id, question: message.text, answer: { ...emptyAnswer, isStreaming: false } });
      continue;
    }
    let turn = turns.at(-1);
    if (!turn) {
      turn = { id: message.id, question: '', answer: { ...emptyAnswer, isStreaming: false } };
      turns.push(turn);
    }
    const offset = turn.answer.text === '' ? 0 : turn.answer.text.length + 2;
    turn.answer = {
      ...turn.answer,
      text: turn.answer.text === '' ? message.text : `${turn.answer.text}\n\n${message.text}`,
      citations: [
        ...turn.answer.citations,
        ...message.citations.map((citation) => ({
          marker: citation.marker,
          startIndex: citation.startIndex + offset,
          endIndex: citation.endIndex + offset,
          fileId: citation.fileId,
          fileName: citation.fileName,
          quote: citation.quote,
        })),
      ],
      outcome: message.runStatus === 'in_progress' ? 'in_progress' : message.runStatus,
      problem: storedProblem(message.runStatus),
      model: message.model ?? turn.answer.model,
    };
  }
  return turns;
}
