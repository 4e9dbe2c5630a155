import type { CitationRef } from '../../lib/citations.js';
import {
  answerText,
  type RequestedToolCall,
  type RunOutcome,
  type RunProblem,
  type RunState,
} from '../../lib/run-outcome.js';

/** An answer as the UI shows it, whether streaming now or read back from history. */
export type Answer = {
  text: string;
  citations: CitationRef[];
  outcome: RunOutcome | 'in_progress' | null;
  problem: RunProblem | null;
  toolCalls: RequestedToolCall[];
  isStreaming: boolean;
  activity: RunState['activity'];
  /** The model that answered, when known: the local engine's quoted answers have their own id. */
  model: string | null;
};

export const emptyAnswer: Answer = {
  text: '',
  citations: [],
  outcome: null,
  problem: null,
  toolCalls: [],
  isStreaming: true,
  activity: null,
  model: null,
};

export function answerFromRun(state: RunState): Answer {
  return {
    text: answerText(state),
    citations: state.messages.flatMap((message) => message.citations),
    outcome: state.outcome,
    problem: state.problem,
    toolCalls: state.toolCalls,
    isStreaming: state.phase === 'connecting' || state.phase === 'streaming',
    activity: state.activity,
    model: state.model,
  };
}
